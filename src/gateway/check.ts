/**
 * Trustless reads from an IPFS gateway: is a Nid's content there now, and is it the content the Nid
 * names? Nothing the gateway says is taken on trust: a 200 counts only once what came back hashes
 * to the Nid. Each attempt is one request through the action's retry loop, whose per-attempt
 * timeout bounds the whole request, body included.
 */
import { CID } from 'multiformats/cid'
import { Agent, request, type Dispatcher } from 'undici'
import { excerpt } from '../numbers/answers.js'
import {
  AttemptsFailed,
  classify,
  RETRY_STATUSES,
  retryAfterMs,
  StatusFault,
  retryPolicy,
  withRetries,
  type RetryNotice
} from '../numbers/retry.js'
import { hashesTo, MAX_BLOCK_BYTES, unsupported } from './blocks.js'
import { proveBytes } from './bytes.js'
import { proveCar } from './car.js'
import { verdict, type Verdict } from './verdict.js'

export type { Verdict, VerifyStatus } from './verdict.js'

/** `block`: the root block hashes to the Nid. `full`: the whole DAG (or the whole file) does. */
export type Depth = 'block' | 'full'

/** How a verdict was reached: the raw root block, a CAR walk, or the file's bytes. */
export type Proof = 'root-block' | 'car' | 'bytes'

export interface Verification extends Verdict {
  /** Absent when no answer could be judged. */
  proof?: Proof
}

export interface GatewayOptions {
  /** Attempts after the first, for timeouts, dropped connections, 429 and 5xx. */
  retries: number
  /** Bounds each attempt as a whole: connecting, headers and the entire body. */
  timeoutSeconds: number
  /** A connection pool to share between checks; undici's global one when absent. */
  dispatcher?: Dispatcher
  /** Aborting it ends the check: no new attempt, no waiting. */
  signal?: AbortSignal
  userAgent?: string
  backoffBaseMs?: number
  backoffMaxMs?: number
  onRetry?: (nid: string, notice: RetryNotice) => void
  /**
   * The gateway answered `format=raw` with another Content-Type (given), so the root block could
   * not be checked alone: the full check is made of that answer instead. Called on every such answer.
   */
  onRawIgnored?: (contentType: string) => void
}

const RAW_TYPE = 'application/vnd.ipld.raw'
const CAR_TYPE = 'application/vnd.ipld.car'
/** Parents first and repeats sent again: what lets the CAR walk keep only the CIDs still expected. */
const CAR_ACCEPT = `${CAR_TYPE}; version=1; order=dfs; dups=y`

interface ContentType {
  type: string
  params: Map<string, string>
}

function contentTypeOf(header: string | string[] | undefined): ContentType {
  const [type, ...params] = String((Array.isArray(header) ? header[0] : header) ?? '').split(';')
  return {
    type: type.trim().toLowerCase(),
    params: new Map(
      params.map(param => {
        const [name, value = ''] = param.split('=')
        return [
          name.trim().toLowerCase(),
          value
            .trim()
            .replace(/^"(.*)"$/, '$1')
            .toLowerCase()
        ]
      })
    )
  }
}

/** The raw root block, at most MAX_BLOCK_BYTES, against the Nid's digest. */
async function proveRootBlock(cid: CID, body: AsyncIterable<Uint8Array>): Promise<Verdict> {
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (length > MAX_BLOCK_BYTES) {
      return verdict(
        'corrupt',
        `the gateway sent over ${MAX_BLOCK_BYTES} bytes for the root block; no block is that large`
      )
    }
    chunks.push(chunk)
  }
  return hashesTo(cid, Buffer.concat(chunks))
    ? verdict('verified', `root block: ${length} bytes hashing to the Nid`)
    : verdict('corrupt', `the gateway's root block (${length} bytes) does not hash to the Nid: wrong bytes`)
}

/** One attempt: a fresh GET whose whole answer is judged under `signal`. */
async function attempt(
  cid: CID,
  gatewayUrl: string,
  format: 'raw' | 'car',
  options: GatewayOptions,
  signal: AbortSignal
): Promise<Judged> {
  const response = await request(`${gatewayUrl}${cid}?format=${format}`, {
    method: 'GET',
    headers: {
      accept: format === 'raw' ? RAW_TYPE : CAR_ACCEPT,
      'user-agent': options.userAgent ?? 'numbers-pin-action'
    },
    dispatcher: options.dispatcher,
    signal
  })
  const { statusCode: status, body } = response
  try {
    if (status !== 200) {
      await body.dump().catch(() => undefined)
      const header = response.headers['retry-after']
      if (RETRY_STATUSES.includes(status)) {
        throw new StatusFault(status, retryAfterMs(Array.isArray(header) ? header[0] : header))
      }
      if (status === 404 || status === 410)
        return { ...verdict('missing', `HTTP ${status}: the gateway does not have it`), notFound: true }
      const location = response.headers.location ? ` to ${excerpt(String(response.headers.location))}` : ''
      return verdict('error', `the gateway answered HTTP ${status}${location}; check gateway-url`)
    }
    const { type, params } = contentTypeOf(response.headers['content-type'])
    if (format === 'raw') {
      if (type === RAW_TYPE) return { ...(await proveRootBlock(cid, body)), proof: 'root-block' }
      // What came instead (the file, most likely) is judged by the full check, from this answer.
      options.onRawIgnored?.(type || 'no Content-Type')
    }
    if (type === CAR_TYPE) {
      const parentFirstWithDups = params.get('order') === 'dfs' && params.get('dups') === 'y'
      return { ...(await proveCar(cid, body, { parentFirstWithDups })), proof: 'car' }
    }
    return { ...(await proveBytes(cid, body)), proof: 'bytes' }
  } finally {
    // A verdict reached before the end (corrupt, too large) leaves no half-read body on the pool.
    body.destroy()
  }
}

/** The verdict when every attempt failed. */
function failedVerdict({ attempts, fault, cause }: AttemptsFailed, timeoutSeconds: number): Verdict {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`
  if (cause instanceof StatusFault) {
    // A gateway's 504 means it could not fetch the content from the network in time.
    return cause.status === 504
      ? verdict('missing', `HTTP 504 after ${tries}: the gateway could not retrieve it in time`)
      : verdict('error', `the gateway answered HTTP ${cause.status} to ${tries}; try again later or raise retries`)
  }
  if (fault.retryable) {
    const timedOut = fault.reason === 'timed out' ? ` (no complete answer within timeout: ${timeoutSeconds}s)` : ''
    return verdict('missing', `no answer after ${tries}: ${fault.reason}${timedOut}`)
  }
  return verdict('error', `${fault.reason} (after ${tries})`)
}

async function fetchVerdict(
  cid: CID,
  gatewayUrl: string,
  format: 'raw' | 'car',
  options: GatewayOptions
): Promise<Judged> {
  const policy = retryPolicy(options, notice => options.onRetry?.(cid.toString(), notice))
  try {
    return await withRetries(s => attempt(cid, gatewayUrl, format, options, s), classify, policy)
  } catch (error) {
    return failedVerdict(error as AttemptsFailed, options.timeoutSeconds)
  }
}

/**
 * A verdict, and whether a `missing` one is the gateway's own word (it answered 404 or 410) rather
 * than a conclusion from silence (no answer, a 504, a stream cut short).
 */
interface Judged extends Verification {
  notFound?: true
}

async function judge(nid: string, gatewayUrl: string, depth: Depth, options: GatewayOptions): Promise<Judged> {
  let cid: CID
  try {
    cid = CID.parse(nid)
  } catch {
    return verdict('error', `'${excerpt(nid, 80)}' is not a CID`)
  }
  const why = unsupported(cid)
  if (why) return verdict('error', `${cid} is not a file's Nid: ${why}`)
  const base = gatewayUrl.endsWith('/') ? gatewayUrl : `${gatewayUrl}/`
  return fetchVerdict(cid, base, depth === 'block' ? 'raw' : 'car', options)
}

/**
 * Checks one Nid at `gatewayUrl` (…/ipfs/). `block` fetches the raw root block (`?format=raw`).
 * `full` fetches a CAR (`?format=car`) and walks the whole DAG. Whatever else a gateway answers
 * (one that ignores `format`, say) gets the full check from that answer: a CAR is walked, anything
 * else is taken as the file's bytes and its Nid recomputed.
 */
export async function verifyNid(
  nid: string,
  gatewayUrl: string,
  depth: Depth,
  options: GatewayOptions
): Promise<Verification> {
  const verification = await judge(nid, gatewayUrl, depth, options)
  // Said in `detail` already; kept out of the verify report's fields.
  delete verification.notFound
  return verification
}

/**
 * Whether the gateway serves the Nid's root block now, with bytes that hash to it: `verified`,
 * `missing` (the gateway answered 404/410), `corrupt` (wrong bytes) or `error`. For the pin action's
 * `verify-previous`, where a missing pin is pinned again and paid for: no answer, or a 504, after
 * the retries is `error` here (an outage is no proof that a pin is gone), though verifyNid calls
 * it missing.
 */
export async function checkRootBlock(nid: string, gatewayUrl: string, options: GatewayOptions): Promise<Verdict> {
  const { status, detail, notFound } = await judge(nid, gatewayUrl, 'block', options)
  return verdict(status === 'missing' && !notFound ? 'error' : status, detail)
}

/**
 * A connection pool for gateway checks: the retry loop's per-attempt signal bounds each request, so
 * undici's own header and body timeouts are off; the pool only bounds connecting.
 */
export function gatewayAgent(timeoutSeconds: number): Agent {
  return new Agent({ headersTimeout: 0, bodyTimeout: 0, connectTimeout: Math.min(timeoutSeconds * 1000, 30_000) })
}
