import { limiter, mapLimit } from '../concurrency.js'
import { FileError, messageOf } from '../errors.js'
import { digestFile, type FileDigest } from '../nid.js'
import type { PinAnswer } from '../numbers/client.js'
import type { EntryResult } from '../types.js'
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
      options.log.debug(`${what}: same content (${nid}) as another entry of this run; pinned once`)
      return { answer: await pending, first: false }
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
    const result = await processEntry(entry, digestOf(index), options, pinOnce)
    options.onSettled?.(index, result)
    return result
  }
  const results = await mapLimit(entries, options.concurrency, settle, options.signal)
  return results.filter((r): r is EntryResult => r !== undefined)
}

/** One entry: identify it (Nid), then pin or skip it; any failure becomes a failed result. */
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
    const upload =
      entry.source === 'file'
        ? await identifyFile(entry.file, pendingDigest, result, options)
        : await identifyUrl(entry.url, result, options)
    const beforeUpload = entry.source === 'file' ? () => assertUnchanged(entry.file) : async () => undefined
    return await pinOrSkip(result, upload, what, options, pinOnce, beforeUpload)
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
