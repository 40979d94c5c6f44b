import { limiter, mapLimit } from '../concurrency.js'
import { ApiError, FileError, PinAnswerError, messageOf } from '../errors.js'
import { digestFile, type FileDigest } from '../nid.js'
import type { PinAnswer } from '../numbers/client.js'
import type { CidVersion, EntryResult } from '../types.js'
import { assertUnchanged, identifyFile } from './file-entry.js'
import { pinOrSkip } from './pin-or-skip.js'
import type { Entry, PinOnce, PipelineOptions } from './types.js'
import { requireApi } from './types.js'
import { identifyUrl } from './url-entry.js'

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
      // The order, if any, belongs to the entry that made the request: a duplicate only shares its fate.
      const answer = await pending.catch((error: unknown) => {
        throw error instanceof PinAnswerError ? new ApiError(error.message, error.status) : error
      })
      return { answer, first: false }
    }
    const pinning = requireApi(options).pin(upload, options.cidVersion)
    pinsByNid.set(nid, pinning)
    // Duplicates waiting on a pin that fails fail with the same reason; they are not retried.
    return { answer: await pinning, first: true }
  }

  // Hashing is CPU and requests are waits: each entry's Nid is computed one round ahead, so a free
  // request slot never waits for one, yet hashing does not crowd out the requests in flight.
  const hashing = limiter(2, options.signal)
  const digests: Promise<FileDigest | undefined>[] = []
  const digestOf = (index: number): Promise<FileDigest | undefined> | undefined => {
    const entry = entries[index]
    if (entry?.source !== 'file') return undefined
    if (!digests[index]) {
      digests[index] = hashing(() => digestFile(entry.file.absolutePath, options.cidVersion))
      // Handled when its entry is processed; this keeps an early failure from being "unhandled".
      digests[index].catch(() => undefined)
    }
    return digests[index]
  }

  const settle = async (entry: Entry, index: number): Promise<EntryResult> => {
    digestOf(index + options.concurrency)
    const result = await processEntry(entry, index, digestOf(index), options, pinOnce)
    options.onSettled?.(index, result)
    return result
  }
  const results = await mapLimit(entries, options.concurrency, settle, options.signal)
  return results.filter((r): r is EntryResult => r !== undefined)
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
  pendingDigest: Promise<FileDigest | undefined> | undefined,
  options: PipelineOptions,
  pinOnce: PinOnce
): Promise<EntryResult> {
  const result = startingResult(entry, options.cidVersion)
  const what = entry.source === 'file' ? entry.file.path : entry.shown
  try {
    const upload =
      entry.source === 'file'
        ? await identifyFile(entry.file, pendingDigest, result, options)
        : await identifyUrl(entry.url, entry.shown, result, options)
    const beforeUpload = async (): Promise<void> => {
      if (entry.source === 'file') await assertUnchanged(entry.file)
      options.onPinSent?.(index)
    }
    return await pinOrSkip(result, upload, what, options, pinOnce, beforeUpload)
  } catch (error) {
    // A request that broke because the file changed under it is reported as the file's fault.
    const changed =
      entry.source === 'file' && !(error instanceof FileError)
        ? await assertUnchanged(entry.file).catch((e: FileError) => e)
        : undefined
    // A pin that was ordered keeps its order ID, whatever else went wrong: it may be billed.
    if (error instanceof PinAnswerError) result.orderId = error.orderId
    const message = messageOf(changed ?? error)
    options.log.debug(`${what}: ${message}`)
    return { ...result, status: 'failed', error: message.startsWith(what) ? message : `${what}: ${message}` }
  }
}
