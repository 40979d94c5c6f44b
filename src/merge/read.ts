import { FileError } from '../errors.js'
import type { Manifest } from '../manifest.js'
import { MAX_MANIFEST_BYTES, readManifestFile } from '../manifest-file.js'
import { parseJson, parseManifest, SchemaError } from '../manifest-schema.js'
import type { ShardRecord } from '../shard.js'

export { MAX_MANIFEST_BYTES } from '../manifest-file.js'

/** A shard's manifest: one that records its shard and the fingerprint of its run's set. */
export type ShardManifest = Manifest & ShardRecord

/** One shard's manifest, as found by the glob. */
export interface ShardFile {
  /** As shown in messages: workspace-relative when inside it. */
  path: string
  manifest: ShardManifest
}

/** Reads and checks one shard's manifest; every refusal names the file and what to do. */
export async function readShardManifest(absolutePath: string, shown: string): Promise<ShardFile> {
  const refuse = (why: string): FileError =>
    new FileError(
      shown,
      `is not a shard manifest written by this action (${why}); give 'manifests' only the numbers-manifest.json files of this run's shard jobs`
    )
  let read: Awaited<ReturnType<typeof readManifestFile>>
  try {
    read = await readManifestFile(absolutePath)
  } catch (error) {
    throw new FileError(
      shown,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check its permissions`
    )
  }
  if ('oversize' in read) throw refuse(`more than ${MAX_MANIFEST_BYTES} bytes`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes)
  } catch {
    throw refuse('not UTF-8 text')
  }
  const data = parseJson(text, refuse)
  let manifest: Manifest
  try {
    manifest = parseManifest(data)
  } catch (error) {
    if (error instanceof SchemaError) throw refuse(error.message)
    throw error
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
