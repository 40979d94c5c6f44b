import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { TEXT_PIECE } from './constants.js'
import { FileError } from './errors.js'
import { MAX_MANIFEST_BYTES, readManifestFile } from './manifest-file.js'
import type { WorkflowContext } from './github-context.js'
import {
  entryLists,
  ledgerPath,
  MAX_PATHS_PER_PIN,
  parseJson,
  pinFields,
  SchemaError,
  type PinFields
} from './manifest-schema.js'
import type { Fingerprint, ShardPosition } from './shard.js'
import {
  PINNED_STATUSES,
  type CidVersion,
  type EntryResult,
  type EntryStatus,
  type PinnedIndex,
  type PinRecord
} from './types.js'

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
export function provenanceOf(context: WorkflowContext, repository: string): Provenance {
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
  /** Earlier pins this run unpinned (`unpin-absent: true`): they have left the ledger. */
  unpinned?: UnpinRecord[]
}

export interface EarlierPin {
  nid: string
  cidVersion: CidVersion
  orderId?: string
  fileUrl?: string
  /** The paths or URLs that held it when it was last seen, for the plan of what `unpin-absent` removes. */
  paths?: string[]
}

/** An earlier pin this run unpinned, and when. */
export interface UnpinRecord {
  nid: string
  orderId?: string
  unpinnedAt: string
  paths?: string[]
}

/**
 * The earlier pins that none of this run's pinned entries accounts for, less those it unpinned: a
 * failed unpin stays, to be tried again next run.
 */
export function carryForward(
  previous: PinnedIndex | undefined,
  results: Iterable<EntryResult>,
  cidVersion: CidVersion,
  unpinned: ReadonlySet<string> = new Set()
): EarlierPin[] {
  if (!previous?.size) return []
  const carried = new Set([...previous.keys()].filter(nid => !unpinned.has(nid)))
  // Only a pin this run recorded accounts for an earlier one; a failed entry does not.
  for (const r of results) if (r.nid && PINNED_STATUSES.includes(r.status)) carried.delete(r.nid)
  return [...carried].map(nid => {
    const pin = previous.get(nid)!
    return {
      nid,
      cidVersion,
      orderId: pin.orderId,
      fileUrl: pin.fileUrl,
      ...(pin.paths?.length ? { paths: [...pin.paths] } : {})
    }
  })
}

/** A manifest's fields besides its two lists of entries. */
export type ManifestHeader = Omit<Manifest, 'results' | 'earlierPins'>

/**
 * Writes the manifest atomically: into a temporary file beside it, then renamed over it, so an
 * interrupted run never leaves half a manifest where the next run reads its previous-manifest. One
 * entry per line (compact JSON; `results` are the entries' JSON texts), streamed in batches.
 */
export async function writeManifest(
  file: string,
  { unpinned, ...header }: ManifestHeader,
  results: Iterable<string>,
  earlierPins: readonly EarlierPin[]
): Promise<void> {
  await writeAtomically(file, async write => {
    // The unpins of one run are at most unpin-max: small enough for the header.
    const top = JSON.stringify(unpinned?.length ? { ...header, unpinned } : header, null, 2)
    await write(`${top.slice(0, -2)},\n`)
    const lists = [
      ['results', results],
      ['earlierPins', earlierPins.map(pin => JSON.stringify(pin))]
    ] as const
    for (const [key, lines] of lists) {
      await write(`  "${key}": [`)
      // The manifest streams out a piece at a time: 100,000 entries never form one string.
      let batch: string[] = []
      let batchLength = 0
      let written = 0
      const flush = async (): Promise<void> => {
        await write(`${written > 0 ? ',' : ''}${batch.join(',')}`)
        written += batch.length
        batch = []
        batchLength = 0
      }
      for (const line of lines) {
        batch.push(`\n    ${line}`)
        batchLength += line.length + 6
        if (batchLength >= TEXT_PIECE) await flush()
      }
      if (batch.length > 0) await flush()
      await write(written > 0 ? '\n  ]' : ']')
      await write(key === 'results' ? ',\n' : '\n}\n')
    }
  })
}

/** Writes `file` through a temporary file in the same folder and a rename: readers see all of it or none. */
export async function writeAtomically(
  file: string,
  produce: (write: (text: string) => Promise<void>) => Promise<void>
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  )
  const handle = await fs.open(temporary, 'wx')
  try {
    await produce(async text => {
      await handle.write(text)
    })
    await handle.close()
    await fs.rename(temporary, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await fs.rm(temporary, { force: true })
    throw error
  }
}

/** A previous-manifest larger than this is refused rather than read. */
export const MAX_PREVIOUS_MANIFEST_BYTES = MAX_MANIFEST_BYTES

/**
 * What a previous manifest gives this run: its valid pins by Nid, how many entries were dropped as
 * invalid, and the CID version it was written with (undefined when it records none that is valid).
 */
export interface PreviousManifest {
  pins: PinnedIndex
  dropped: number
  cidVersion?: CidVersion
}

/** Adds `pin` under `nid`: the first record of a Nid keeps its order, and every record adds its paths. */
function addPin(pins: Map<string, PinRecord>, nid: string, pin: PinRecord): void {
  const known = pins.get(nid)
  if (!known) return void pins.set(nid, pin)
  const paths = [...new Set([...(known.paths ?? []), ...(pin.paths ?? [])])].slice(0, MAX_PATHS_PER_PIN)
  if (paths.length > 0) pins.set(nid, { ...known, paths })
}

/** The previous manifest's text; undefined when there is no file (the first run). */
async function readPreviousText(file: string): Promise<string | undefined> {
  let read: Awaited<ReturnType<typeof readManifestFile>>
  try {
    read = await readManifestFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new FileError(
      file,
      `previous-manifest cannot be read (${(error as NodeJS.ErrnoException).code}); check the path`
    )
  }
  if ('oversize' in read) {
    throw new FileError(
      file,
      `previous-manifest is ${read.oversize} bytes, larger than the ${MAX_PREVIOUS_MANIFEST_BYTES} this action reads; give the manifest this action wrote`
    )
  }
  return read.bytes.toString('utf8')
}

/** A pin of the run's CID version, its fields checked (src/manifest-schema.ts), or undefined. */
function validPin(entry: Record<string, unknown>, cidVersion: CidVersion): PinFields | undefined {
  if (entry.cidVersion !== undefined && entry.cidVersion !== cidVersion) return undefined
  try {
    return pinFields(entry, cidVersion, '')
  } catch (error) {
    if (error instanceof SchemaError) return undefined
    throw error
  }
}

/**
 * The pins of a previous manifest's entries, by Nid: a result that claims a pin, or an earlier pin.
 * An entry that is not an object, or whose fields are malformed, is dropped and counted.
 */
function indexPins(
  { results, earlierPins }: { results: unknown[]; earlierPins: unknown[] },
  cidVersion: CidVersion
): Pick<PreviousManifest, 'pins' | 'dropped'> {
  const pins = new Map<string, PinRecord>()
  let dropped = 0
  const add = (entry: unknown, isResult: boolean): void => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return void dropped++
    const record = entry as Record<string, unknown>
    if (isResult && !PINNED_STATUSES.includes(record.status as EntryStatus)) return
    // A CIDv0 Nid and a CIDv1 Nid of the same bytes differ; only same-version entries can match.
    if ((record.cidVersion ?? cidVersion) !== cidVersion && (record.cidVersion === 0 || record.cidVersion === 1)) return
    const valid = validPin(record, cidVersion)
    if (!valid) return void dropped++
    const { nid, orderId, fileUrl, paths } = valid
    // A result's path (or URL) is kept only when printable: a pin is not dropped for its name.
    const path = isResult ? ledgerPath(record.path ?? record.url) : undefined
    const kept = path === undefined ? (paths ?? []) : [path]
    addPin(pins, nid, { orderId, fileUrl, ...(kept.length > 0 ? { paths: kept } : {}) })
  }
  for (const entry of results) add(entry, true)
  for (const pin of earlierPins) add(pin, false)
  return { pins, dropped }
}

/**
 * The pins an earlier run's manifest records, by Nid. `undefined` when there is no file (the first
 * run); a file that is not such a manifest is an error, since trusting it could skip pins. It is
 * hostile input: it is not read past a size bound, and every entry is checked by type and shape; a
 * pin whose Nid is not a CID of its version (or whose other fields are malformed) is dropped and
 * counted, so that garbage is never carried forward.
 */
export async function readPreviousManifest(
  file: string,
  cidVersion: CidVersion
): Promise<PreviousManifest | undefined> {
  const text = await readPreviousText(file)
  if (text === undefined) return undefined
  const invalid = (why: string): FileError =>
    new FileError(
      file,
      `previous-manifest is not a manifest written by this action (${why}); restore the file this action wrote, or remove the input`
    )
  const data = parseJson(text, invalid)
  const { pins, dropped } = indexPins(entryLists(data, invalid), cidVersion)
  const version = (data as Partial<Manifest>).cidVersion
  return { pins, dropped, cidVersion: version === 0 || version === 1 ? version : undefined }
}
