/**
 * Sharding a run over a job matrix: which slice of the matched files and URLs one job handles, and a
 * fingerprint of the whole set, so that a merge can tell the shards of one run from those of another.
 *
 * Every shard computes the same partition from the same list, so the slices are disjoint and cover
 * every entry once. Files are balanced by bytes, URLs (sizes unknown) by count.
 */
import { createHash } from 'node:crypto'
import { formatBytes } from './report/format.js'
import type { Logger } from './types.js'

/** Most shards in one run: more than any job matrix needs, few enough to merge in one job. */
export const MAX_SHARDS = 256

/** One job's place in the matrix, 1-based: `2/4` is the second of four shards. */
export interface ShardPosition {
  index: number
  total: number
}

/** The whole set a run's shards were cut from: its number of entries and the sha256 of its sorted list. */
export interface Fingerprint {
  count: number
  sha256: string
}

/** What a shard's manifest records of its place. */
export interface ShardRecord {
  shard: ShardPosition
  fingerprint: Fingerprint
}

/** A file as discovery found it; sizes are known before anything is read. */
export interface SizedFile {
  path: string
  size: number
}

/** `INDEX/TOTAL`, both whole numbers, 1 ≤ INDEX ≤ TOTAL ≤ MAX_SHARDS; undefined for anything else. */
export function parseShard(text: string): ShardPosition | undefined {
  const match = /^(\d{1,4})\s*\/\s*(\d{1,4})$/.exec(text.trim())
  if (!match) return undefined
  const [index, total] = [Number(match[1]), Number(match[2])]
  return index >= 1 && index <= total && total <= MAX_SHARDS ? { index, total } : undefined
}

/** Code-unit order, not locale order: the same on every runner. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Count and sha256 of the sorted list of every file (path and size) and URL. Shards of one run see
 * the same list; another glob, another build or another day's tree gives another fingerprint.
 */
export function fingerprintOf(files: readonly SizedFile[], urls: readonly string[]): Fingerprint {
  // JSON lines: a path holding a newline or a quote cannot pass for two entries.
  const lines = [
    ...files.map(f => JSON.stringify(['file', f.path, f.size])),
    ...urls.map(u => JSON.stringify(['url', u]))
  ].sort(byCodeUnit)
  const hash = createHash('sha256')
  for (const line of lines) hash.update(`${line}\n`)
  return { count: lines.length, sha256: hash.digest('hex') }
}

/**
 * The shard (1-based) of each file, in input order. Files are grouped by size, since identical files
 * have equal sizes: identical content stays in one shard and is never pinned twice across shards.
 * Groups are taken heaviest first (ties by first path) and each goes to the lightest shard so far
 * (ties to the lowest index): longest-processing-time scheduling, deterministic for a given list.
 * A group heavier than a shard's share (total bytes / shards) cannot be balanced: its shard is the
 * heaviest whatever the rest does.
 */
export function assignFiles(files: readonly SizedFile[], total: number): number[] {
  const groups = new Map<number, number[]>()
  files.forEach((file, i) => {
    const members = groups.get(file.size)
    if (members) members.push(i)
    else groups.set(file.size, [i])
  })
  const firstPath = (members: number[]): string =>
    members.map(i => files[i].path).reduce((a, b) => (byCodeUnit(a, b) <= 0 ? a : b))
  const ordered = [...groups].map(([size, members]) => ({
    bytes: size * members.length,
    first: firstPath(members),
    members
  }))
  ordered.sort((a, b) => b.bytes - a.bytes || byCodeUnit(a.first, b.first))

  const loads = new Array<number>(total).fill(0)
  const shardOf = new Array<number>(files.length)
  for (const group of ordered) {
    let lightest = 0
    for (let s = 1; s < total; s++) if (loads[s] < loads[lightest]) lightest = s
    loads[lightest] += group.bytes
    for (const i of group.members) shardOf[i] = lightest + 1
  }
  return shardOf
}

/**
 * The shard (1-based) of each URL, in input order: round-robin over the sorted distinct URLs, so a
 * URL listed twice stays in one shard. Content is unknown before the service fetches it: identical
 * content behind two different URLs may be pinned (paid) once in each of two shards.
 */
export function assignUrls(urls: readonly string[], total: number): number[] {
  const distinct = [...new Set(urls)].sort(byCodeUnit)
  const shardOf = new Map(distinct.map((url, i) => [url, (i % total) + 1]))
  return urls.map(url => shardOf.get(url) ?? 1)
}

export interface ShardSlice<F extends SizedFile> {
  files: readonly F[]
  urls: readonly string[]
  /** For the manifest; absent when the run is not sharded. */
  record?: ShardRecord
}

/** The files and URLs this job handles: all of them without a shard, else its slice (input order kept). */
export function selectShard<F extends SizedFile>(
  files: readonly F[],
  urls: readonly string[],
  position: ShardPosition | undefined,
  log: Pick<Logger, 'info'>
): ShardSlice<F> {
  // Not copied: a run of 100,000 files keeps one list of them.
  if (!position) return { files, urls }
  const fileShards = assignFiles(files, position.total)
  const urlShards = assignUrls(urls, position.total)
  const slice = {
    files: files.filter((_, i) => fileShards[i] === position.index),
    urls: urls.filter((_, i) => urlShards[i] === position.index),
    record: { shard: position, fingerprint: fingerprintOf(files, urls) }
  }
  const bytes = (list: readonly SizedFile[]): string => formatBytes(list.reduce((sum, f) => sum + f.size, 0))
  log.info(
    `Shard ${position.index}/${position.total}: ${slice.files.length} of ${files.length} files (${bytes(slice.files)} of ${bytes(files)}) and ${slice.urls.length} of ${urls.length} URLs; set ${slice.record.fingerprint.sha256.slice(0, 12)}`
  )
  return slice
}
