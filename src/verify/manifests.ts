/**
 * The pinned Nids that manifests record, for the verify action. Manifests are hostile input (an
 * artifact anyone with write access could replace): each file is read only up to a cap, every field
 * used is checked, and an entry that fails a check is skipped and counted, never trusted.
 */
import { CID } from 'multiformats/cid'
import { discoverFiles } from '../discovery.js'
import { FileError, PreflightError } from '../errors.js'
import { MAX_MANIFEST_BYTES, readManifestFile } from '../manifest-file.js'
import { entryLists, parseJson } from '../manifest-schema.js'
import { PINNED_STATUSES } from '../types.js'

/** Longest text kept from a manifest for messages: paths, URLs and order IDs are shown, never used. */
const MAX_TEXT = 512
/** Statuses of entries that are pins. */
const PINNED: readonly string[] = PINNED_STATUSES
/** Statuses of entries that are not (skipped without complaint). */
const NOT_PINNED = ['nid-only', 'failed']

/** One pinned Nid to verify, with where it was found. */
export interface PinnedNid {
  /** Canonical string of the CID (the manifest's own string is not reused). */
  nid: string
  /** The manifest (workspace-relative path) that first listed it. */
  manifest: string
  /** The artifact's path or URL, as the manifest recorded it. */
  artifact?: string
  orderId?: string
}

export interface SkippedEntries {
  manifest: string
  count: number
  /** Why the first of them was skipped. */
  firstReason: string
}

export interface ManifestScan {
  manifests: string[]
  /** Each Nid once, in the order first found. */
  nids: PinnedNid[]
  skipped: SkippedEntries[]
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : undefined

async function readBounded(file: string, shown: string): Promise<string> {
  const read = await readManifestFile(file)
  if ('oversize' in read) {
    throw new FileError(
      shown,
      `is ${read.oversize} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap: not a manifest this action wrote; check the 'manifest' input`
    )
  }
  return read.bytes.toString('utf8')
}

/** The pinned Nids of one manifest's text; throws when the file as a whole is not a manifest. */
export function pinnedNidsOf(content: string, manifest: string): { nids: PinnedNid[]; skipped?: SkippedEntries } {
  const invalid = (why: string): FileError =>
    new FileError(manifest, `is not a manifest written by numbers-pin-action (${why}); check the 'manifest' input`)
  const data = parseJson(content, invalid)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid('not a JSON object')
  const { results, earlierPins } = entryLists(data, invalid)

  const nids: PinnedNid[] = []
  let count = 0
  let firstReason = ''
  const skip = (where: string, why: string): void => {
    if (count++ === 0) firstReason = `${where}: ${why}`
  }
  const take = (entry: unknown, where: string, isResult: boolean): void => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return skip(where, 'not an object')
    const fields = entry as Record<string, unknown>
    if (isResult) {
      const { status } = fields
      if (typeof status === 'string' && NOT_PINNED.includes(status)) return
      if (typeof status !== 'string' || !PINNED.includes(status)) return skip(where, 'status is not a known status')
    }
    const { nid } = fields
    if (typeof nid !== 'string' || nid.length > 200) return skip(where, 'nid is not a CID string')
    let cid: CID
    try {
      cid = CID.parse(nid)
    } catch {
      return skip(where, 'nid does not parse as a CID')
    }
    nids.push({
      nid: cid.toString(),
      manifest,
      artifact: text(fields.path) ?? text(fields.url),
      orderId: text(fields.orderId)
    })
  }
  results.forEach((entry, i) => take(entry, `results[${i}]`, true))
  earlierPins.forEach((entry, i) => take(entry, `earlierPins[${i}]`, false))
  return { nids, skipped: count > 0 ? { manifest, count, firstReason } : undefined }
}

/**
 * Finds the manifests the patterns match (relative to the workspace; absolute paths such as the
 * runner's temp directory allowed) and collects their pinned Nids, each once.
 */
export async function readManifests(patterns: string[], workspace: string): Promise<ManifestScan> {
  const { files, problems } = await discoverFiles({ patterns, workspace, includeHiddenFiles: true })
  if (problems.length > 0) throw new PreflightError(problems, `${problems.length} manifests cannot be used`)
  if (files.length === 0) {
    throw new FileError(
      patterns.join(', '),
      `matches no manifest; check the 'manifest' input (the pin action's 'manifest' output is its path)`
    )
  }
  const seen = new Set<string>()
  const scan: ManifestScan = { manifests: files.map(f => f.path), nids: [], skipped: [] }
  for (const file of files) {
    const { nids, skipped } = pinnedNidsOf(await readBounded(file.absolutePath, file.path), file.path)
    if (skipped) scan.skipped.push(skipped)
    for (const pinned of nids) {
      if (seen.has(pinned.nid)) continue
      seen.add(pinned.nid)
      scan.nids.push(pinned)
    }
  }
  return scan
}
