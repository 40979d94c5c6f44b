import { limiter, mapLimit, nextTurn } from '../concurrency.js'
import { ApiError, FileError, PinAnswerError, messageOf, CancelledError } from '../errors.js'
import { HashPool } from '../nid/pool.js'
import type { PinAnswer, Upload } from '../numbers/client.js'
import { NEW_PIN_STATUSES, type CidVersion, type EntryResult } from '../types.js'
import { openDiscovered } from '../open-file.js'
import { identifyFile, type PreparedFile } from './file-entry.js'
import { pinOrSkip } from './pin-or-skip.js'
import { PinnedNids } from './pinned-nids.js'
import { previousPinCheck } from './previous-pins.js'
import type { Entry, PipelineOptions, RunShared } from './types.js'
import { requireApi } from './types.js'
import { identifyUrl } from './url-entry.js'

/**
 * Nid, then (optionally) the API's Nid, then the pin, per entry, with `concurrency` entries in
 * flight; each result goes to `onSettled` as it is known and is not kept. A failed entry never stops
 * the others; identical content is pinned once per run and content an earlier run pinned is not
 * pinned again.
 */
export async function runPipeline(entries: readonly Entry[], options: PipelineOptions): Promise<void> {
  // Identical content is pinned once per run: a duplicate waits on the request while it is in flight
  // (and fails alike if it failed), then shares the answer the pinning entry's settled result holds.
  const pinning = new Map<string, Promise<PinAnswer>>()
  const pinned = new PinnedNids(options.recall)
  /** Entries that made a pin request, by index, and the Nid they made it for. */
  const requested = new Map<number, string>()
  const pinOnce = async (nid: string, upload: Upload, what: string, index: number) => {
    const earlier = pinned.find(nid)
    const shared = earlier ? Promise.resolve(answerOf(earlier)) : pinning.get(nid)
    if (shared) {
      options.log.debug(`${what}: same content (${nid}) as another entry of this run; pinned once`)
      // The order, if any, belongs to the entry that made the request: a duplicate only shares its fate.
      const answer = await shared.catch((error: unknown) => {
        throw error instanceof PinAnswerError ? new ApiError(error.message, error.status) : error
      })
      return { answer, first: false }
    }
    const request = requireApi(options).pin(upload, options.cidVersion)
    pinning.set(nid, request)
    requested.set(index, nid)
    // Duplicates waiting on a pin that fails fail with the same reason; they are not retried.
    return { answer: await request, first: true }
  }
  /** Once the entry that pinned `nid` has settled as pinned, its result stands for the answer. */
  const pinSettled = (index: number, result: EntryResult): void => {
    const nid = requested.get(index)
    if (nid === undefined) return
    requested.delete(index)
    if (NEW_PIN_STATUSES.includes(result.status) && result.nid === nid) {
      pinned.add(nid, index)
      pinning.delete(nid)
    }
  }
  const checkPrevious = previousPinCheck(options)

  // Hashing is CPU and requests are waits: each file is opened and hashed one round ahead, so a
  // free request slot never waits for one; two files per hashing thread are in hand, so none idles.
  const pool = entries.some(e => e.source === 'file') ? new HashPool() : undefined
  const hashing = limiter(2 * (pool?.size ?? 1), options.signal)
  // Files opened ahead, by entry index, until their entry takes them: never more than `concurrency`.
  const prepared = new Map<number, Promise<PreparedFile | undefined>>()
  let preparedUpTo = -1
  const prepareAhead = (upTo: number): void => {
    for (; preparedUpTo < Math.min(upTo, entries.length - 1);) {
      const index = ++preparedUpTo
      const entry = entries[index]
      if (entry.source !== 'file' || !pool) continue
      const pending = hashing(async () => {
        // A worker's file is awaited anyway; only this thread's hashing must wait for a turn.
        if (pool.hashesInline(entry.file.size)) await nextTurn()
        const open = openDiscovered(entry.file)
        try {
          return {
            open,
            digest: await pool.hashFd(open.fd, entry.file.size, options.cidVersion, entry.file.path)
          }
        } catch (error) {
          open.close()
          throw error
        }
      })
      // Handled when its entry is processed; this keeps an early failure from being "unhandled".
      pending.catch(() => undefined)
      prepared.set(index, pending)
    }
  }
  const take = (index: number): Promise<PreparedFile | undefined> | undefined => {
    prepareAhead(index + options.concurrency)
    const pending = prepared.get(index)
    prepared.delete(index)
    return pending
  }

  const settle = async (entry: Entry, index: number): Promise<void> => {
    const shared: RunShared = {
      pinOnce: (nid, upload, what) => pinOnce(nid, upload, what, index),
      checkPrevious
    }
    const result = await processEntry(entry, index, take(index), options, shared)
    // An entry the cancel stopped before anything was sent is not a result: like one never started.
    if (result === undefined) return
    options.onSettled(index, result)
    pinSettled(index, result)
  }
  try {
    await mapLimit(entries, options.concurrency, settle, options.signal)
  } finally {
    // Files opened ahead for entries a cancelled run never reached.
    await Promise.all([...prepared.values()].map(async pending => (await pending.catch(() => undefined))?.open.close()))
    await pool?.close()
  }
}

/** The pin answer a settled, pinned entry stands for: what its duplicates share. */
function answerOf(result: EntryResult): PinAnswer {
  return {
    cid: result.nid ?? '',
    cidVersion: result.cidVersion,
    fileSize: result.size ?? 0,
    fileUrl: result.fileUrl ?? '',
    orderId: result.orderId ?? ''
  }
}

/** What an entry's result holds before anything is known of it: failed until it succeeds. */
function startingResult(entry: Entry, cidVersion: CidVersion): EntryResult {
  return entry.source === 'file'
    ? { source: 'file', path: entry.file.path, size: entry.file.size, cidVersion, status: 'failed' }
    : { source: 'url', url: entry.shown, cidVersion, status: 'failed' }
}

/** The result of an entry whose pin request was sent but not answered when the run was cancelled. */
export function inFlightResult(entry: Entry, { cidVersion }: { cidVersion: CidVersion }): EntryResult {
  const result = startingResult(entry, cidVersion)
  const what = result.path ?? result.url
  return {
    ...result,
    error: `${what}: the run was cancelled while its pin request was unanswered; it may have been pinned and billed: check your Capture account's orders`
  }
}

/** One entry: identify it (Nid), then pin or skip it; any failure becomes a failed result. */
async function processEntry(
  entry: Entry,
  index: number,
  pending: Promise<PreparedFile | undefined> | undefined,
  options: PipelineOptions,
  shared: RunShared
): Promise<EntryResult | undefined> {
  const result = startingResult(entry, options.cidVersion)
  const what = entry.source === 'file' ? entry.file.path : entry.shown
  let prepared: PreparedFile | undefined
  try {
    let upload
    if (entry.source === 'file') {
      prepared = await pending
      if (!prepared) throw new Error('cancelled before its Nid was computed')
      upload = await identifyFile(entry.file, prepared, result, options)
    } else {
      upload = await identifyUrl(entry.url, entry.shown, result, options)
    }
    const open = prepared?.open
    const beforeUpload = async (): Promise<void> => {
      open?.assertUnchanged()
      options.onPinSent?.(index)
    }
    return await pinOrSkip(result, upload, what, options, shared, beforeUpload)
  } catch (error) {
    if (error instanceof CancelledError) return undefined
    // A request that broke because the file changed under it is reported as the file's fault.
    const changed = prepared && !(error instanceof FileError) ? prepared.open.changed() : undefined
    // A pin that was ordered keeps its order ID, whatever else went wrong: it may be billed.
    if (error instanceof PinAnswerError) result.orderId = error.orderId
    const message = messageOf(changed ?? error)
    options.log.debug(`${what}: ${message}`)
    return { ...result, status: 'failed', error: message.startsWith(what) ? message : `${what}: ${message}` }
  } finally {
    prepared?.open.close()
  }
}
