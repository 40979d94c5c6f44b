import { writeAtomically } from '../manifest.js'
import { TEXT_PIECE } from '../constants.js'
import type { EntryResult } from '../types.js'
import { formatBytes, formatCount } from './format.js'
import { LIMITS } from './limits.js'

/** `sha256sum` lines (two spaces), the format actions/attest's `subject-checksums` takes. */
function* checksumLines(results: Iterable<EntryResult>): Generator<string> {
  for (const r of results) if (r.source === 'file' && r.sha256 && r.path) yield `${r.sha256}  ${r.path}\n`
}

/**
 * Writes the checksums file of every processed file, atomically (a temporary file renamed over it)
 * and in pieces of TEXT_PIECE characters (never the whole file as one string). Returns how many
 * files it lists and its size.
 */
export async function writeChecksums(
  file: string,
  results: Iterable<EntryResult>
): Promise<{ count: number; bytes: number }> {
  let count = 0
  let bytes = 0
  await writeAtomically(file, async write => {
    let piece: string[] = []
    let pieceLength = 0
    const flush = async (): Promise<void> => {
      const text = piece.join('')
      await write(text)
      bytes += Buffer.byteLength(text)
      piece = []
      pieceLength = 0
    }
    for (const line of checksumLines(results)) {
      piece.push(line)
      pieceLength += line.length
      count++
      if (pieceLength >= TEXT_PIECE) await flush()
    }
    await flush()
  })
  return { count, bytes }
}

/**
 * Why actions/attest would refuse this checksums file (over 1,024 subjects or 512 KiB), and the way
 * that scales; undefined when it fits.
 */
export function attestLimitWarning(count: number, bytes: number, manifestPath: string): string | undefined {
  if (count <= LIMITS.attestSubjects && bytes <= LIMITS.attestChecksumsBytes) return undefined
  return `The checksums file lists ${formatCount(count)} files (${formatBytes(bytes)}): actions/attest takes at most ${formatCount(LIMITS.attestSubjects)} subjects and a subject-checksums file of at most ${formatBytes(LIMITS.attestChecksumsBytes)}. Attest the manifest instead (subject-path: ${manifestPath}, the manifest output): it holds every file's sha256 and Nid`
}
