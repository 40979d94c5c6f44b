import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { LocalFile } from './discovery.js'
import { CidMismatchError, FileError, messageOf } from './errors.js'
import type { CidVersion, NidSource } from './inputs.js'
import type { NidAnswer, PinAnswer, Upload } from './numbers-client.js'
import { limiter, mapLimit } from './concurrency.js'
import type { FileDigest } from './nid/hash.js'
import { HashPool } from './nid/pool.js'

export type EntryStatus = 'pinned' | 'already-pinned' | 'nid-only' | 'failed'

/** One file or URL's outcome: the shape of the `results` output and of the manifest's entries. */
export interface EntryResult {
  source: 'file' | 'url'
  path?: string
  url?: string
  size?: number
  sha256?: string
  nid?: string
  cidVersion: CidVersion
  status: EntryStatus
  orderId?: string
  fileUrl?: string
  gatewayUrl?: string
  error?: string
}

/** The two calls the pipeline makes; NumbersClient implements it. */
export interface NumbersApi {
  getNid(upload: Upload, version: CidVersion): Promise<NidAnswer>
  pin(upload: Upload, version: CidVersion): Promise<PinAnswer>
}

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

/** What an earlier run pinned, by Nid: pins listed here are not paid for again. */
export type PinnedIndex = ReadonlyMap<string, { orderId?: string; fileUrl?: string }>

export interface PipelineOptions {
  pin: boolean
  nidSource: NidSource
  cidVersion: CidVersion
  concurrency: number
  gatewayUrl: string
  /** Absent when nothing may be sent (pin: false, nid-source: local, no URLs). */
  api?: NumbersApi
  previous?: PinnedIndex
  log: Logger
  /** Called as each entry settles, so a cancelled run can still report what finished. */
  onSettled?: (index: number, result: EntryResult) => void
  /** When aborted, entries not yet started are not started. */
  signal?: AbortSignal
}

export type Entry = { source: 'file'; file: LocalFile } | { source: 'url'; url: string }

function requireApi(options: PipelineOptions): NumbersApi {
  if (!options.api) throw new Error('internal: a request to Numbers was needed but no client was configured')
  return options.api
}

/**
 * Nid, then (optionally) the API's Nid, then the pin, per entry, with `concurrency` entries in
 * flight. A failed entry never stops the others; identical content is pinned once per run and
 * content an earlier run pinned is not pinned again.
 */
export async function runPipeline(entries: readonly Entry[], options: PipelineOptions): Promise<EntryResult[]> {
  // Nid → the pin in flight or done for that content, so duplicates in one run are paid once.
  const pinsByNid = new Map<string, Promise<PinAnswer>>()

  const pinOnce: PinOnce = async (nid, upload, what) => {
    const pending = pinsByNid.get(nid)
    if (pending) {
      options.log.info(`${what}: same content (${nid}) as another entry of this run; pinned once`)
      return { answer: await pending, first: false }
    }
    const pinning = requireApi(options).pin(upload, options.cidVersion)
    pinsByNid.set(nid, pinning)
    // Duplicates waiting on a pin that fails fail with the same reason; they are not retried.
    return { answer: await pinning, first: true }
  }

  // Hashing is CPU and requests are waits: each entry's Nid is computed one round ahead, so a free
  // request slot never waits for one. Two files per hashing worker are queued, so none waits.
  const pool = new HashPool()
  const hashing = limiter(2 * pool.size, options.signal)
  const digests: Promise<FileDigest | undefined>[] = []
  const digestOf = (index: number): Promise<FileDigest | undefined> | undefined => {
    const entry = entries[index]
    if (entry?.source !== 'file') return undefined
    if (!digests[index]) {
      digests[index] = hashing(() => pool.hashFile(entry.file.absolutePath, options.cidVersion, entry.file.path))
      // Handled when its entry is processed; this keeps an early failure from being "unhandled".
      digests[index].catch(() => undefined)
    }
    return digests[index]
  }

  const settle = async (entry: Entry, index: number): Promise<EntryResult> => {
    digestOf(index + options.concurrency)
    const result = await processEntry(entry, digestOf(index), options, pinOnce)
    options.onSettled?.(index, result)
    return result
  }
  try {
    const results = await mapLimit(entries, options.concurrency, settle, options.signal)
    return results.filter((r): r is EntryResult => r !== undefined)
  } finally {
    await pool.close()
  }
}

/** Pins content once per run: `first` is false for entries whose content another entry pinned. */
type PinOnce = (nid: string, upload: Upload, what: string) => Promise<{ answer: PinAnswer; first: boolean }>

async function processEntry(
  entry: Entry,
  pendingDigest: Promise<FileDigest | undefined> | undefined,
  options: PipelineOptions,
  pinOnce: PinOnce
): Promise<EntryResult> {
  const { cidVersion } = options
  const result: EntryResult =
    entry.source === 'file'
      ? { source: 'file', path: entry.file.path, size: entry.file.size, cidVersion, status: 'failed' }
      : { source: 'url', url: entry.url, cidVersion, status: 'failed' }
  const what = entry.source === 'file' ? entry.file.path : entry.url
  try {
    let upload: Upload
    if (entry.source === 'file') {
      const { file } = entry
      upload = { kind: 'file', path: file.absolutePath, name: path.basename(file.absolutePath), size: file.size }
      const digest = await pendingDigest
      if (!digest) throw new Error('cancelled before its Nid was computed')
      if (digest.size !== file.size) {
        throw new FileError(
          file.path,
          `changed size from ${file.size} to ${digest.size} bytes while the action ran; make sure nothing writes to it during this step`
        )
      }
      Object.assign(result, { nid: digest.nid, sha256: digest.sha256 })
      options.log.debug(`${file.path}: local Nid ${digest.nid}`)
      if (options.nidSource === 'api') {
        await assertUnchanged(file)
        const answer = await requireApi(options).getNid(upload, cidVersion)
        if (answer.cid !== digest.nid) throw new CidMismatchError(digest.nid, answer.cid, 'Get Nid from File')
      }
    } else {
      upload = { kind: 'url', url: entry.url }
      if (!options.pin || options.previous?.size) {
        // A URL's content is only known to the service: ask for its Nid (also to skip known pins).
        const answer = await requireApi(options).getNid(upload, cidVersion)
        Object.assign(result, { nid: answer.cid, size: answer.fileSize })
      }
    }

    if (!options.pin) {
      return { ...result, status: 'nid-only' }
    }
    const known = result.nid !== undefined ? options.previous?.get(result.nid) : undefined
    if (known) {
      options.log.info(
        `${what}: ${result.nid} is already pinned by an earlier run (order ${known.orderId ?? 'unknown'}); not paid again`
      )
      return withGateway(
        { ...result, status: 'already-pinned', orderId: known.orderId, fileUrl: known.fileUrl },
        options
      )
    }
    if (entry.source === 'file') await assertUnchanged(entry.file)
    const { answer, first } =
      result.nid !== undefined
        ? await pinOnce(result.nid, upload, what)
        : { answer: await requireApi(options).pin(upload, cidVersion), first: true }
    if (result.nid !== undefined && answer.cid !== result.nid) {
      // The order exists and is paid for all the same: keep it on the failed entry, findable.
      Object.assign(result, { orderId: answer.orderId, fileUrl: answer.fileUrl })
      throw new CidMismatchError(result.nid, answer.cid, 'Pin file to IPFS')
    }
    return withGateway(
      {
        ...result,
        nid: answer.cid,
        size: result.size ?? answer.fileSize,
        status: first ? 'pinned' : 'already-pinned',
        orderId: answer.orderId,
        fileUrl: answer.fileUrl
      },
      options
    )
  } catch (error) {
    // A request that broke because the file changed under it is reported as the file's fault.
    const changed =
      entry.source === 'file' && !(error instanceof FileError)
        ? await assertUnchanged(entry.file).catch((e: FileError) => e)
        : undefined
    const message = messageOf(changed ?? error)
    options.log.debug(`${what}: ${message}`)
    return { ...result, status: 'failed', error: message.startsWith(what) ? message : `${what}: ${message}` }
  }
}

function withGateway(result: EntryResult, options: PipelineOptions): EntryResult {
  return result.nid ? { ...result, gatewayUrl: `${options.gatewayUrl}${result.nid}` } : result
}

/** A file that vanished or changed size since discovery is not uploaded: its Nid would be stale. */
async function assertUnchanged(file: LocalFile): Promise<void> {
  let size: number
  try {
    size = (await fs.stat(file.absolutePath)).size
  } catch (error) {
    throw new FileError(
      file.path,
      `disappeared after it was found (${(error as NodeJS.ErrnoException).code}); make sure nothing deletes it during this step`
    )
  }
  if (size !== file.size) {
    throw new FileError(
      file.path,
      `changed size from ${file.size} to ${size} bytes after it was found; make sure nothing writes to it during this step`
    )
  }
}
