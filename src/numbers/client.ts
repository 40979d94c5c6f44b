import { Agent, request } from 'undici'
import { ApiError } from '../errors.js'
import { ENDPOINT_NAME, Endpoint, type CidVersion } from '../types.js'
import {
  AttemptsFailed,
  RETRY_STATUSES,
  StatusFault,
  classify,
  retryAfterMs,
  withRetries,
  type RetryNotice
} from './retry.js'
import { multipartUpload } from './upload-body.js'

/** What is sent: a local file (multipart field `file`) of a known size, or a public URL (JSON `fileURL`). */
export type Upload =
  | {
      kind: 'file'
      path: string
      /** The name sent as the multipart file name. */
      name: string
      /** How messages name it: the workspace path. */
      shown: string
      size: number
    }
  | { kind: 'url'; url: string }

export interface NidAnswer {
  cid: string
  fileSize: number
  cidVersion: number
}

export interface PinAnswer extends NidAnswer {
  fileUrl: string
  orderId: string
}

/** Where the client's retry notices go: a retry that may bill twice is a warning, others are info. */
export interface RetryLog {
  info(message: string): void
  warning(message: string): void
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
  log?: RetryLog
  /** Cancels every request: no new attempt starts once it aborts. */
  signal?: AbortSignal
}

const MAX_BODY_BYTES = 1 << 20
const MAX_RETRY_AFTER_MS = 60_000

/** A short, single-line, printable excerpt of a body that is not what the contract promises. */
export function excerpt(body: string, max = 160): string {
  const flat = body
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

interface Answer {
  status: number
  contentType: string
  text: string
}

/**
 * Client for the Numbers endpoints (docs/numbers-api.md): one request per attempt through the retry
 * loop, answers turned into typed values or ApiErrors that say what to change.
 */
export class NumbersClient {
  private readonly agent: Agent

  constructor(private readonly options: ClientOptions) {
    // The retry loop's per-attempt signal bounds each request; the agent only bounds connecting.
    this.agent = new Agent({
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: Math.min(options.timeoutSeconds * 1000, 30_000)
    })
  }

  async getNid(upload: Upload, version: CidVersion): Promise<NidAnswer> {
    const json = await this.post(Endpoint.GetNid, this.options.nidApiUrl, upload, { version })
    return parseNidAnswer(json, Endpoint.GetNid)
  }

  async pin(upload: Upload, version: CidVersion): Promise<PinAnswer> {
    const json = await this.post(Endpoint.Pin, this.options.pinApiUrl, upload, { version, pin: true })
    const answer = parseNidAnswer(json, Endpoint.Pin)
    const { fileURL, orderID } = json
    const name = ENDPOINT_NAME[Endpoint.Pin]
    if (typeof orderID !== 'string' || orderID === '') {
      throw new ApiError(`${name} answered without an orderID (got ${excerpt(JSON.stringify(json))})`, 200)
    }
    if (typeof fileURL !== 'string') {
      throw new ApiError(`${name} answered without a fileURL (got ${excerpt(JSON.stringify(json))})`, 200)
    }
    return { ...answer, fileUrl: fileURL, orderId: orderID }
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  private retryNotice(endpoint: Endpoint, upload: Upload, { attempt, delayMs, fault }: RetryNotice): void {
    const { log, retries } = this.options
    const what = upload.kind === 'file' ? upload.shown : upload.url
    const retry = `${ENDPOINT_NAME[endpoint]} for ${what}: ${fault.reason}; attempt ${attempt + 1} of ${retries + 1} in ${(delayMs / 1000).toFixed(1)}s`
    if (fault.mayHaveSucceeded && endpoint === Endpoint.Pin) {
      log?.warning(
        `${retry}. The failed attempt may have been pinned already, so this file may be billed twice; check your Capture account's orders for ${what}`
      )
    } else {
      log?.info(retry)
    }
  }

  /** One attempt: a fresh request (and a fresh multipart body), its whole answer read under `signal`. */
  private async attempt(
    url: string,
    upload: Upload,
    fields: { version: CidVersion; pin?: boolean },
    signal: AbortSignal
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `token ${this.options.token}`,
      'user-agent': this.options.userAgent,
      accept: 'application/json'
    }
    let body: string | AsyncIterable<Buffer>
    if (upload.kind === 'file') {
      // Streamed from disk, never buffered whole.
      const form = multipartUpload(upload, fields)
      headers['content-type'] = form.contentType
      headers['content-length'] = String(form.length)
      body = form.body()
    } else {
      headers['content-type'] = 'application/json'
      body = JSON.stringify({ fileURL: upload.url, ...fields })
    }
    // undici sends any async iterable as a stream; its types name only Readable.
    const response = await request(url, {
      method: 'POST',
      headers,
      body: body as string,
      dispatcher: this.agent,
      signal
    })
    if (RETRY_STATUSES.includes(response.statusCode)) {
      // Read and dropped (up to undici's small limit), so the connection can be reused.
      await response.body.dump().catch(() => undefined)
      const header = response.headers['retry-after']
      throw new StatusFault(response.statusCode, retryAfterMs(Array.isArray(header) ? header[0] : header))
    }
    const text = await readText(response.body)
    return { status: response.statusCode, contentType: String(response.headers['content-type'] ?? ''), text }
  }

  private async post(
    endpoint: Endpoint,
    url: string,
    upload: Upload,
    fields: { version: CidVersion; pin?: boolean }
  ): Promise<Record<string, unknown>> {
    const { retries, timeoutSeconds, backoffBaseMs = 1000, backoffMaxMs = 30_000, signal } = this.options
    let answer: Answer
    try {
      answer = await withRetries(s => this.attempt(url, upload, fields, s), classify, {
        retries,
        timeoutMs: timeoutSeconds * 1000,
        backoffBaseMs,
        backoffMaxMs,
        maxRetryAfterMs: Math.min(MAX_RETRY_AFTER_MS, timeoutSeconds * 1000),
        signal,
        onRetry: notice => this.retryNotice(endpoint, upload, notice)
      })
    } catch (error) {
      throw failureOf(endpoint, error as AttemptsFailed, timeoutSeconds)
    }
    return parseAnswer(endpoint, answer)
  }
}

/** The error of a request whose attempts all failed. */
function failureOf(endpoint: Endpoint, failed: AttemptsFailed, timeoutSeconds: number): ApiError {
  const name = ENDPOINT_NAME[endpoint]
  const { attempts, fault, cause } = failed
  if (cause instanceof StatusFault) {
    return new ApiError(
      `${name} answered HTTP ${cause.status} to ${attempts === 1 ? 'the only attempt' : `all ${attempts} attempts`}; the service is failing or rate-limiting, try again later or raise retries`,
      cause.status
    )
  }
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`
  const timedOut = fault.reason === 'timed out' ? `: no answer within timeout: ${timeoutSeconds}s` : ''
  // The last attempt got no answer, but the service may still have acted on it.
  const uncertain =
    endpoint === Endpoint.Pin && fault.mayHaveSucceeded
      ? `; the file may have been pinned anyway (and billed): check your Capture account's orders before pinning it again`
      : ''
  return new ApiError(`${name} failed (${fault.reason}${timedOut}) after ${tries}${uncertain}`)
}

/** The whole answer, cut at 1 MiB: error pages can be large, and an excerpt is all that is shown. */
async function readText(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (length > MAX_BODY_BYTES) {
      body.destroy()
      break
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseAnswer(endpoint: Endpoint, { status, contentType, text }: Answer): Record<string, unknown> {
  const name = ENDPOINT_NAME[endpoint]
  if (status !== 200) throw statusError(name, status, contentType || 'no content type', text)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ApiError(
      `${name} answered HTTP 200 with ${contentType || 'no content type'} that is not JSON: "${excerpt(text) || '(empty body)'}"`,
      200
    )
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ApiError(`${name} answered HTTP 200 with JSON that is not an object: "${excerpt(text)}"`, 200)
  }
  return json as Record<string, unknown>
}

function statusError(name: string, status: number, contentType: string, text: string): ApiError {
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
        `${name} rejected the Capture Token (HTTP 401${said}); check the capture-token input and the secret it reads (e.g. CAPTURE_TOKEN)`,
        status
      )
    case 403:
      return new ApiError(
        `${name} refused the request (HTTP 403 forbidden${said}); check that the Capture account behind capture-token may use this API`,
        status
      )
    case 404:
      return new ApiError(`${name} was not found (HTTP 404${said}); check nid-api-url / pin-api-url`, status)
    case 400:
      if (/insufficient/i.test(detail || text)) {
        return new ApiError(
          `${name}: insufficient funds (HTTP 400${said}); the Capture account's wallet needs NUM before files can be pinned`,
          status
        )
      }
      return new ApiError(`${name} refused the request (HTTP 400${said})`, status)
    default:
      return new ApiError(`${name} answered HTTP ${status}${said}`, status)
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
      `${ENDPOINT_NAME[endpoint]} answered HTTP 200 without a valid ${problems.join(', ')} (got ${excerpt(JSON.stringify(json))})`,
      200
    )
  }
  return { cid: cid as string, fileSize: fileSize as number, cidVersion: cidVersion as number }
}
