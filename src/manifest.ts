import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { FileError } from './errors.js'
import type * as github from '@actions/github'
import type { Fingerprint, ShardPosition } from './shard.js'
import type { CidVersion, EntryResult, PinnedIndex } from './types.js'

/** Where and by what the run happened, from the workflow run's context. */
export interface Provenance {
  repository: string
  sha: string
  ref: string
  workflow: string
  runId: number
  runAttempt: number
  runUrl: string
  event: string
  actor: string
}

/** The provenance of this run, from the workflow run's context (GITHUB_* variables and the event). */
export function provenanceOf(context: typeof github.context, repository: string): Provenance {
  // Outside a runner (local runs) the run ID is missing: 0, and no run URL.
  const runId = context.runId || 0
  return {
    repository,
    sha: context.sha ?? '',
    ref: context.ref ?? '',
    workflow: context.workflow ?? '',
    runId,
    runAttempt: context.runAttempt || 0,
    runUrl: repository && runId ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : '',
    event: context.eventName ?? '',
    actor: context.actor ?? ''
  }
}

export interface Manifest {
  schema: 'numbers-pin-action/manifest@1'
  actionVersion: string
  cidVersion: CidVersion
  startedAt: string
  finishedAt: string
  /** False when the run was cancelled before every entry settled. */
  complete: boolean
  provenance: Provenance
  /** A sharded run's slice (`shard` input); absent otherwise. */
  shard?: ShardPosition
  /** Sharded runs and merges: the whole set of entries the shards were cut from. */
  fingerprint?: Fingerprint
  /** A merge: how many shards it merged. */
  shards?: number
  results: EntryResult[]
  /**
   * Pins an earlier manifest listed that this run did not come across (a file missing for a night,
   * a cancelled run): kept, so that a later run still knows they are paid for.
   */
  earlierPins: EarlierPin[]
}

export interface EarlierPin {
  nid: string
  cidVersion: CidVersion
  orderId?: string
  fileUrl?: string
}

/** The earlier pins that none of this run's pinned entries accounts for. */
export function carryForward(
  previous: PinnedIndex | undefined,
  results: readonly EntryResult[],
  cidVersion: CidVersion
): EarlierPin[] {
  // Only a pin this run recorded accounts for an earlier one; a failed entry does not.
  const seen = new Set(results.filter(r => r.status === 'pinned' || r.status === 'already-pinned').map(r => r.nid))
  return [...(previous ?? [])]
    .filter(([nid]) => !seen.has(nid))
    .map(([nid, pin]) => ({ nid, cidVersion, orderId: pin.orderId, fileUrl: pin.fileUrl }))
}

export async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, `${JSON.stringify(manifest, null, 2)}\n`)
}

/**
 * The pins an earlier run's manifest records, by Nid. `undefined` when there is no file (the
 * first run); a file that is not such a manifest is an error, since trusting it could skip pins.
 */
export async function readPinnedIndex(file: string, cidVersion: CidVersion): Promise<PinnedIndex | undefined> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new FileError(
      file,
      `previous-manifest cannot be read (${(error as NodeJS.ErrnoException).code}); check the path`
    )
  }
  const invalid = (why: string): FileError =>
    new FileError(
      file,
      `previous-manifest is not a manifest written by this action (${why}); restore the file this action wrote, or remove the input`
    )
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw invalid('not valid JSON')
  }
  const manifest = data as Partial<Manifest> | null
  const results = manifest?.results
  if (!Array.isArray(results)) throw invalid('no results array')
  const earlier = manifest?.earlierPins ?? []
  if (!Array.isArray(earlier)) throw invalid('earlierPins is not an array')
  const index = new Map<string, { orderId?: string; fileUrl?: string }>()
  const add = (entry: Partial<EntryResult> | Partial<EarlierPin>, pinned: boolean): void => {
    // A CIDv0 Nid and a CIDv1 Nid of the same bytes differ; only same-version entries can match.
    if (!pinned || typeof entry.nid !== 'string' || (entry.cidVersion ?? cidVersion) !== cidVersion) return
    if (!index.has(entry.nid)) index.set(entry.nid, { orderId: entry.orderId, fileUrl: entry.fileUrl })
  }
  for (const entry of [...results, ...earlier] as unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw invalid('an entry is not an object')
  }
  for (const entry of results as Partial<EntryResult>[])
    add(entry, entry.status === 'pinned' || entry.status === 'already-pinned')
  for (const pin of earlier as Partial<EarlierPin>[]) add(pin, true)
  return index
}
