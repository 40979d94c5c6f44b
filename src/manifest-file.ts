/**
 * A manifest file's bytes, read with a bound: a manifest is hostile input, and one larger than any
 * this action writes is refused rather than read into memory.
 */
import { promises as fs } from 'node:fs'

/** No manifest this action writes comes near this (100,000 entries are ~35 MB); more is not one. */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20

/**
 * The file's bytes, or its size once that passes MAX_MANIFEST_BYTES: checked before reading and again
 * as it is read, since it may grow in between. Errors of the file system (ENOENT, EISDIR) are thrown.
 */
export async function readManifestFile(file: string): Promise<{ bytes: Buffer } | { oversize: number }> {
  const handle = await fs.open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size > MAX_MANIFEST_BYTES) return { oversize: size }
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(2 ** 20) })
      if (bytesRead === 0) return { bytes: Buffer.concat(chunks) }
      total += bytesRead
      if (total > MAX_MANIFEST_BYTES) return { oversize: total }
      chunks.push(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
}
