import { MergeInputs } from '../constants.js'
import { InputError, PreflightError } from '../errors.js'
import { fingerprintOf, type Fingerprint } from '../shard.js'
import { PINNED_STATUSES, type CidVersion, type EntryResult, type PinnedIndex, type PinRecord } from '../types.js'
import type { ShardFile } from './read.js'

/** The shards of one run, as if one job had done all the work. */
export interface Merged {
  results: EntryResult[]
  cidVersion: CidVersion
  /** The earliest shard's start. */
  startedAt: string
  /** False when a shard was cancelled before every entry settled. */
  complete: boolean
  /** Shards that did not finish (`index/total`), for the failure message. */
  incomplete: string[]
  /** Every shard's earlier pins: those no merged entry accounts for are carried forward. */
  earlier: PinnedIndex
  sharding: { fingerprint: Fingerprint; shards: number }
}

const describe = (fingerprint: Fingerprint): string =>
  `set ${fingerprint.sha256.slice(0, 12)} of ${fingerprint.count} entries`

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Refusals of the set as a whole: another run's shard, a duplicate, a missing shard. */
function checkSet(shards: readonly ShardFile[]): void {
  const problems: string[] = []
  // The set most manifests share is the run's: the odd one out is named, not the others.
  const votes = new Map<string, number>()
  for (const { manifest } of shards)
    votes.set(manifest.fingerprint.sha256, (votes.get(manifest.fingerprint.sha256) ?? 0) + 1)
  const first = shards.reduce((best, s) =>
    (votes.get(s.manifest.fingerprint.sha256) ?? 0) > (votes.get(best.manifest.fingerprint.sha256) ?? 0) ? s : best
  )
  const { fingerprint, shard, cidVersion, provenance } = first.manifest
  for (const { path, manifest } of shards.filter(s => s !== first)) {
    if (manifest.fingerprint.sha256 !== fingerprint.sha256 || manifest.fingerprint.count !== fingerprint.count) {
      problems.push(
        `${path} is a shard of another run or file set (${describe(manifest.fingerprint)}, but ${first.path} has ${describe(fingerprint)}); download only this run's shard manifests, all cut from the same files and file-urls`
      )
    } else if (manifest.shard.total !== shard.total) {
      problems.push(
        `${path} is shard ${manifest.shard.index}/${manifest.shard.total}, but ${first.path} is ${shard.index}/${shard.total}; every shard job must give the same TOTAL`
      )
    } else if (manifest.cidVersion !== cidVersion) {
      problems.push(
        `${path} has cidVersion ${manifest.cidVersion}, but ${first.path} has ${cidVersion}; use one cid-version in every shard`
      )
    } else if (
      manifest.provenance.repository !== provenance.repository ||
      manifest.provenance.runId !== provenance.runId
    ) {
      problems.push(
        `${path} is from run ${manifest.provenance.runId} of '${manifest.provenance.repository}', but ${first.path} from run ${provenance.runId} of '${provenance.repository}'; download only this run's shard manifests`
      )
    }
  }
  if (problems.length === 0) {
    const byIndex = new Map<number, string[]>()
    for (const { path, manifest } of shards)
      byIndex.set(manifest.shard.index, [...(byIndex.get(manifest.shard.index) ?? []), path])
    for (let index = 1; index <= shard.total; index++) {
      const paths = byIndex.get(index)
      if (!paths) {
        problems.push(
          `shard ${index}/${shard.total} missing: no manifest matched records it; check that its job ran and uploaded its manifest, and that the pattern matches every downloaded artifact`
        )
      } else if (paths.length > 1) {
        problems.push(
          `shard ${index}/${shard.total} twice: ${paths.join(' and ')}; give each shard's manifest once (download-artifact with merge-multiple: false keeps each in its own folder)`
        )
      }
    }
  }
  const errors = problems.map(p => new InputError(MergeInputs.Manifests, p))
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new PreflightError(errors, `${errors.length} problems with the shard manifests`)
}

/** Files by path, then URLs (code-unit order: the same on every runner); each with a link through `gatewayUrl`. */
function ordered(results: EntryResult[], gatewayUrl: string): EntryResult[] {
  const key = (r: EntryResult): string => (r.source === 'file' ? `0${r.path}` : `1${r.url}`)
  // A shard's own links are not trusted (nor its gateway): they are rebuilt, for the same entries as a pin run.
  const linked = (r: EntryResult): EntryResult => {
    const copy = { ...r }
    delete copy.gatewayUrl
    if (PINNED_STATUSES.includes(r.status) && r.nid) copy.gatewayUrl = `${gatewayUrl}${r.nid}`
    return copy
  }
  return results.map(linked).sort((a, b) => byCodeUnit(key(a), key(b)))
}

/**
 * Checks that `shards` are every shard of one run, once, and merges them. Entries of finished shards
 * must add up to the set the shards were cut from (its fingerprint): no entry lost, none twice.
 */
export function mergeShards(shards: readonly ShardFile[], gatewayUrl: string): Merged {
  if (shards.length === 0) throw new InputError(MergeInputs.Manifests, 'matched no manifest')
  checkSet(shards)
  const manifests = shards.map(s => s.manifest).sort((a, b) => a.shard.index - b.shard.index)
  const { fingerprint, cidVersion } = manifests[0]
  const results = ordered(
    manifests.flatMap(m => m.results),
    gatewayUrl
  )
  const incomplete = manifests.filter(m => !m.complete).map(m => `${m.shard.index}/${m.shard.total}`)
  if (incomplete.length === 0) {
    const files = results.flatMap(r => (r.source === 'file' ? [{ path: r.path ?? '', size: r.size ?? -1 }] : []))
    const urls = results.flatMap(r => (r.source === 'url' ? [r.url ?? ''] : []))
    const got = fingerprintOf(files, urls)
    if (got.sha256 !== fingerprint.sha256 || got.count !== fingerprint.count) {
      throw new InputError(
        MergeInputs.Manifests,
        `the shards' ${got.count} entries are not the ${describe(fingerprint)} they were cut from (an entry lost, altered or listed twice); run the shard jobs again`
      )
    }
  }
  const earlier = new Map<string, PinRecord>()
  for (const { nid, orderId, fileUrl, paths } of manifests.flatMap(m => m.earlierPins)) {
    if (!earlier.has(nid)) earlier.set(nid, { orderId, fileUrl, ...(paths ? { paths } : {}) })
  }
  return {
    results,
    cidVersion,
    startedAt: manifests.map(m => m.startedAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)),
    complete: incomplete.length === 0,
    incomplete,
    earlier,
    sharding: { fingerprint, shards: manifests[0].shard.total }
  }
}
