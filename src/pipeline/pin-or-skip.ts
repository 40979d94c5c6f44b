import { CidMismatchError } from '../errors.js'
import type { EntryResult } from '../types.js'
import type { Upload } from '../numbers/client.js'
import type { PipelineOptions, RunShared } from './types.js'
import { requireApi } from './types.js'

function withGateway(result: EntryResult, gatewayUrl: string): EntryResult {
  return result.nid ? { ...result, gatewayUrl: `${gatewayUrl}${result.nid}` } : result
}

/**
 * The entry's outcome once its Nid is known: Nid only (pin: false), already pinned by an earlier run
 * (not paid again), pinned again (verify-previous found the earlier pin missing), or pinned now.
 * `result` holds what is known so far; a failed pin throws, keeping a paid order it created on `result`.
 */
export async function pinOrSkip(
  result: EntryResult,
  upload: Upload,
  what: string,
  options: PipelineOptions,
  { pinOnce, checkPrevious }: RunShared,
  beforeUpload: () => Promise<void>
): Promise<EntryResult> {
  if (!options.pin) return { ...result, status: 'nid-only' }
  const { nid } = result
  const known = nid !== undefined ? options.previous?.get(nid) : undefined
  if (nid !== undefined && known) {
    if ((await checkPrevious(nid, what, known)) === 'keep') {
      // Debug: the entry's own line says "already pinned … not paid again".
      options.log.debug(
        `${what}: ${nid} is already pinned by an earlier run (order ${known.orderId ?? 'unknown'}); not paid again`
      )
      return withGateway(
        { ...result, status: 'already-pinned', orderId: known.orderId, fileUrl: known.fileUrl },
        options.gatewayUrl
      )
    }
    // A check that was in flight when the run was cancelled starts no pin.
    if (options.signal?.aborted) {
      throw new Error(
        `${nid} is missing at ${options.gatewayUrl}, but the run was cancelled before it was pinned again; the next run with verify-previous checks it again`
      )
    }
  }
  await beforeUpload()
  const { answer, first } =
    nid !== undefined
      ? await pinOnce(nid, upload, what)
      : { answer: await requireApi(options).pin(upload, options.cidVersion), first: true }
  if (nid !== undefined && answer.cid !== nid) {
    // The order exists and is paid for all the same: keep it on the failed entry, findable.
    Object.assign(result, { orderId: answer.orderId, fileUrl: answer.fileUrl })
    throw new CidMismatchError(nid, answer.cid, 'Pin file to IPFS')
  }
  return withGateway(
    {
      ...result,
      nid: answer.cid,
      size: result.size ?? answer.fileSize,
      status: first ? (known ? 'repinned' : 'pinned') : 'already-pinned',
      orderId: answer.orderId,
      fileUrl: answer.fileUrl
    },
    options.gatewayUrl
  )
}
