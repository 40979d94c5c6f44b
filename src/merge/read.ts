import { promises as fs } from 'node:fs'
import { FileError } from '../errors.js'
import type { Manifest } from '../manifest.js'
import { parseManifest, SchemaError } from '../manifest-schema.js'
import type { ShardRecord } from '../shard.js'

/** Bytes read of one manifest at most: about 100,000 entries; a larger file is refused unread. */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20

/** A shard's manifest: one that records its shard and the fingerprint of its run's set. */
export type ShardManifest = Manifest & ShardRecord

/** One shard's manifest, as found by the glob. */
export interface ShardFile {
  /** As shown in messages: workspace-relative when inside it. */
  path: string
  manifest: ShardManifest
}

/** The file's text, refused once it passes MAX_MANIFEST_BYTES (it may grow while read). */
async function readCapped(file: string): Promise<string> {
  const handle = await fs.open(file, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(2 ** 20) })
      if (bytesRead === 0) break
      total += bytesRead
      if (total > MAX_MANIFEST_BYTES) throw new RangeError('too large')
      chunks.push(buffer.subarray(0, bytesRead))
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } finally {
    await handle.close()
  }
}

/** Reads and checks one shard's manifest; every refusal names the file and what to do. */
export async function readShardManifest(absolutePath: string, shown: string): Promise<ShardFile> {
  const refuse = (why: string): FileError =>
    new FileError(
      shown,
      `is not a shard manifest written by this action (${why}); give 'manifests' only the numbers-manifest.json files of this run's shard jobs`
    )
  let text: string
  try {
    text = await readCapped(absolutePath)
  } catch (error) {
    if (error instanceof RangeError) throw refuse(`more than ${MAX_MANIFEST_BYTES} bytes`)
    if (error instanceof TypeError) throw refuse('not UTF-8 text')
    throw new FileError(
      shown,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check its permissions`
    )
  }
  let manifest: Manifest
  try {
    manifest = parseManifest(JSON.parse(text))
  } catch (error) {
    if (error instanceof SchemaError) throw refuse(error.message)
    throw refuse('not valid JSON')
  }
  if (manifest.shards !== undefined) {
    throw refuse(`it is a merged manifest of ${manifest.shards} shards, not one shard's`)
  }
  if (!manifest.shard || !manifest.fingerprint) {
    throw refuse("it records no shard: set the pin step's 'shard' input, e.g. ${{ matrix.shard }}/4")
  }
  if (manifest.results.length > manifest.fingerprint.count) {
    throw refuse(`it lists ${manifest.results.length} entries, more than its set's ${manifest.fingerprint.count}`)
  }
  return { path: shown, manifest: { ...manifest, shard: manifest.shard, fingerprint: manifest.fingerprint } }
}
