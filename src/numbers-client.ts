import type { Readable } from 'node:stream'
import { Agent, Dispatcher, RetryAgent, request } from 'undici'
import { ApiError } from './errors.js'
import type { CidVersion } from './inputs.js'
import { multipartUpload, type FileBody } from './upload-body.js'

/** What is sent: a local file (multipart field `file`) of a known size, or a public URL (JSON `fileURL`). */
export type Upload = { kind: 'file'; path: string; name: string; size: number } | { kind: 'url'; url: string }

export interface NidAnswer {
  cid: string
  fileSize: number
  cidVersion: number
}

export interface PinAnswer extends NidAnswer {
  fileUrl: string
  orderId: string
}

export interface RetryNotice {
  endpoint: Endpoint
  attempt: number
  delayMs: number
  reason: string
  /** The failed attempt may have reached the service (a timeout or a dropped connection). */
  mayHaveSucceeded: boolean
}

export interface ClientOptions {
  token: string
  nidApiUrl: string
  pinApiUrl: string
  retries: number
  timeoutSeconds: number
  userAgent: string
  /** First backoff ceiling; doubles per attempt (full jitter picks a delay below it). */
  backoffBaseMs?: number
  backoffMaxMs?: number
  onRetry?: (notice: RetryNotice, upload: Upload) => void
}

export type Endpoint = 'Get Nid from File' | 'Pin file to IPFS'

/** Statuses and connection faults worth another attempt; 400/401/403/404 never are. */
const RETRY_STATUSES = [429, 500, 502, 503, 504]
const RETRY_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
]
/** Faults after which the service may have acted on the request even though no answer came. */
const UNCERTAIN_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']
const MAX_BODY_BYTES = 1 << 20
const MAX_RETRY_AFTER_MS = 60_000

interface UndiciFault {
  code?: string
  statusCode?: number
  headers?: Record<string, string | string[] | undefined>
  message?: string
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds; undefined when absent or bad. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Exponential backoff with full jitter: a random delay below min(max, base * 2^(attempt-1)). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)))
}

/** A short, single-line, printable excerpt of a body that is not what the contract promises. */
export function excerpt(body: string, max = 160): string {
  const flat = body
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** The attempt got no answer, but the service may have acted on it (a timeout or a dropped connection). */
function mayHaveSucceeded(fault: UndiciFault): boolean {
  return fault.code !== undefined && UNCERTAIN_CODES.includes(fault.code)
}

function describeFault(fault: UndiciFault): string {
  if (fault.statusCode) return `HTTP ${fault.statusCode}`
  return fault.code ?? fault.message ?? 'connection failed'
}

/**
 * A file body made anew for each attempt. undici 6's RetryHandler re-sends `opts.body` as it is, and
 * a stream can be read once, so a retried upload would send nothing. Handing it this marker instead,
 * and making the body in the dispatcher below it, keeps undici's retries.
 */
class PerAttemptBody {
  constructor(readonly make: () => FileBody) {}
}

class PerAttemptBodyDispatcher extends Dispatcher {
  constructor(private readonly inner: Dispatcher) {
    super()
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    const body: unknown = options.body
    // undici sends any async iterable as a stream; its types name only Readable.
    const made = body instanceof PerAttemptBody ? (body.make() as unknown as Readable) : undefined
    return this.inner.dispatch(made ? { ...options, body: made } : options, handler)
  }
}

/**
 * Client for the two Numbers endpoints (docs/numbers-api.md). Retries and timeouts are undici's
 * RetryAgent and Agent timeouts; this class adds the retry policy and turns answers into typed
 * values or ApiErrors that say what to change.
 */
export class NumbersClient {
  private readonly agent: Agent
  private readonly perAttempt: Dispatcher

  constructor(private readonly options: ClientOptions) {
    const timeout = options.timeoutSeconds * 1000
    this.agent = new Agent({
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: Math.min(timeout, 30_000)
    })
    this.perAttempt = new PerAttemptBodyDispatcher(this.agent)
  }

  async getNid(upload: Upload, version: CidVersion): Promise<NidAnswer> {
    const json = await this.post('Get Nid from File', this.options.nidApiUrl, upload, { version })
    return parseNidAnswer(json, 'Get Nid from File')
  }

  async pin(upload: Upload, version: CidVersion): Promise<PinAnswer> {
    const json = await this.post('Pin file to IPFS', this.options.pinApiUrl, upload, { version, pin: true })
    const answer = parseNidAnswer(json, 'Pin file to IPFS')
    const { fileURL, orderID } = json
    if (typeof orderID !== 'string' || orderID === '') {
      throw new ApiError(`Pin file to IPFS answered without an orderID (got ${excerpt(JSON.stringify(json))})`, 200)
    }
    if (typeof fileURL !== 'string') {
      throw new ApiError(`Pin file to IPFS answered without a fileURL (got ${excerpt(JSON.stringify(json))})`, 200)
    }
    return { ...answer, fileUrl: fileURL, orderId: orderID }
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  private dispatcherFor(endpoint: Endpoint, upload: Upload, attempts: { count: number }): Dispatcher {
    const { retries, backoffBaseMs = 1000, backoffMaxMs = 30_000, timeoutSeconds, onRetry } = this.options
    // One RetryAgent per request so the retry callback knows which upload it is retrying.
    return new RetryAgent(this.perAttempt, {
      maxRetries: retries,
      methods: ['POST'],
      statusCodes: RETRY_STATUSES,
      errorCodes: RETRY_CODES,
      retry: (err, { state }, callback) => {
        const fault = err as UndiciFault
        const retryable =
          fault.statusCode !== undefined
            ? RETRY_STATUSES.includes(fault.statusCode)
            : fault.code !== undefined && RETRY_CODES.includes(fault.code)
        if (!retryable || state.counter > retries) {
          callback(err)
          return
        }
        const header = fault.headers?.['retry-after']
        const after = retryAfterMs(Array.isArray(header) ? header[0] : header)
        const delayMs =
          after !== undefined
            ? Math.min(after, MAX_RETRY_AFTER_MS, timeoutSeconds * 1000)
            : backoffMs(state.counter, backoffBaseMs, backoffMaxMs)
        onRetry?.(
          {
            endpoint,
            attempt: state.counter,
            delayMs,
            reason: describeFault(fault),
            mayHaveSucceeded: mayHaveSucceeded(fault)
          },
          upload
        )
        attempts.count++
        setTimeout(() => callback(null), delayMs)
      }
    })
  }

  private async post(
    endpoint: Endpoint,
    url: string,
    upload: Upload,
    fields: { version: CidVersion; pin?: boolean }
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {
      authorization: `token ${this.options.token}`,
      'user-agent': this.options.userAgent,
      accept: 'application/json'
    }
    let body: string | PerAttemptBody
    if (upload.kind === 'file') {
      // Streamed from disk (again on each retry), never buffered whole.
      const form = multipartUpload(upload, fields)
      headers['content-type'] = form.contentType
      headers['content-length'] = String(form.length)
      body = new PerAttemptBody(form.body)
    } else {
      headers['content-type'] = 'application/json'
      body = JSON.stringify({ fileURL: upload.url, ...fields })
    }

    const attempts = { count: 1 }
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, {
        method: 'POST',
        headers,
        // The dispatcher turns the marker into a body per attempt (see PerAttemptBody).
        body: body as string,
        dispatcher: this.dispatcherFor(endpoint, upload, attempts)
      })
    } catch (error) {
      const fault = error as UndiciFault
      const tries = attempts.count === 1 ? '1 attempt' : `${attempts.count} attempts`
      if (fault.statusCode) {
        throw new ApiError(
          `${endpoint} answered HTTP ${fault.statusCode} to ${attempts.count === 1 ? 'the only attempt' : `all ${tries}`}; the service is failing or rate-limiting, try again later or raise retries`,
          fault.statusCode,
          true
        )
      }
      const reason = describeFault(fault)
      const timedOut = fault.code?.includes('TIMEOUT')
      // The last attempt got no answer, but the service may still have acted on it.
      const uncertain =
        endpoint === 'Pin file to IPFS' && mayHaveSucceeded(fault)
          ? `; the file may have been pinned anyway (and billed): check your Capture account's orders before pinning it again`
          : ''
      throw new ApiError(
        `${endpoint} failed (${reason}${timedOut ? `: no answer within timeout: ${this.options.timeoutSeconds}s` : ''}) after ${tries}${uncertain}`,
        undefined,
        true
      )
    }
    const text = await readText(response.body, endpoint, response.statusCode)
    const contentType = String(response.headers['content-type'] ?? 'no content type')
    if (response.statusCode !== 200) {
      throw statusError(endpoint, response.statusCode, contentType, text)
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new ApiError(
        `${endpoint} answered HTTP 200 with ${contentType} that is not JSON: "${excerpt(text) || '(empty body)'}"`,
        200
      )
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ApiError(`${endpoint} answered HTTP 200 with JSON that is not an object: "${excerpt(text)}"`, 200)
    }
    return json as Record<string, unknown>
  }
}

async function readText(body: Dispatcher.ResponseData['body'], endpoint: Endpoint, status: number): Promise<string> {
  const chunks: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      length += chunk.length
      // Error pages can be large; an excerpt is all that is ever shown.
      if (length > MAX_BODY_BYTES) {
        body.destroy()
        break
      }
      chunks.push(chunk)
    }
  } catch (error) {
    throw new ApiError(
      `${endpoint} answered HTTP ${status} but the connection dropped while reading the answer (${describeFault(error as UndiciFault)})`,
      status
    )
  }
  return Buffer.concat(chunks).toString('utf8')
}

function statusError(endpoint: Endpoint, status: number, contentType: string, text: string): ApiError {
  let detail = ''
  try {
    const json = JSON.parse(text) as Record<string, unknown>
    const value = json.detail ?? json.message ?? json.error
    if (value !== undefined) detail = typeof value === 'string' ? value : JSON.stringify(value)
  } catch {
    // Not JSON (an HTML page from a proxy, say): fall back to an excerpt below.
  }
  const said = detail
    ? `: ${excerpt(detail, 300)}`
    : text
      ? ` (${contentType}): "${excerpt(text)}"`
      : ' with an empty body'
  switch (status) {
    case 401:
      return new ApiError(
        `${endpoint} rejected the Capture Token (HTTP 401${said}); check the capture-token input and the secret it reads (e.g. CAPTURE_TOKEN)`,
        status
      )
    case 403:
      return new ApiError(
        `${endpoint} refused the request (HTTP 403 forbidden${said}); check that the Capture account behind capture-token may use this API`,
        status
      )
    case 404:
      return new ApiError(`${endpoint} was not found (HTTP 404${said}); check nid-api-url / pin-api-url`, status)
    case 400:
      if (/insufficient/i.test(detail || text)) {
        return new ApiError(
          `${endpoint}: insufficient funds (HTTP 400${said}); the Capture account's wallet needs NUM before files can be pinned`,
          status
        )
      }
      return new ApiError(`${endpoint} refused the request (HTTP 400${said})`, status)
    default:
      return new ApiError(`${endpoint} answered HTTP ${status}${said}`, status)
  }
}

function parseNidAnswer(json: Record<string, unknown>, endpoint: Endpoint): NidAnswer {
  const { cid, fileSize, cid_version: cidVersion } = json
  const problems: string[] = []
  if (typeof cid !== 'string' || !/^[A-Za-z0-9]{10,}$/.test(cid)) problems.push('cid')
  if (typeof fileSize !== 'number' || !Number.isInteger(fileSize) || fileSize < 0) problems.push('fileSize')
  if (typeof cidVersion !== 'number') problems.push('cid_version')
  if (problems.length > 0) {
    throw new ApiError(
      `${endpoint} answered HTTP 200 without a valid ${problems.join(', ')} (got ${excerpt(JSON.stringify(json))})`,
      200
    )
  }
  return { cid: cid as string, fileSize: fileSize as number, cidVersion: cidVersion as number }
}
