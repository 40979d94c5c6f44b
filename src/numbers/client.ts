import { Agent, request } from 'undici'
import { ApiError, CancelledError } from '../errors.js'
import { Redactor } from '../redact.js'
import { ENDPOINT_NAME, Endpoint, type CidVersion } from '../types.js'
import {
  parseNidAnswer,
  parsePinAnswer,
  parseUnpinAnswer,
  type Answer,
  type NidAnswer,
  type PinAnswer
} from './answers.js'
import {
  AttemptsFailed,
  RETRY_STATUSES,
  SharedPause,
  StatusFault,
  classify,
  retryAfterMs,
  retryPolicy,
  withRetries,
  type RetryNotice
} from './retry.js'
import { multipartUpload } from './upload-body.js'

export type { NidAnswer, PinAnswer } from './answers.js'

/** What is sent: a local file (multipart field `file`) of a known size, or a public URL (JSON `fileURL`). */
export type Upload =
  | {
      kind: 'file'
      /** The descriptor of the file opened once (open-file.ts): what is sent is what was hashed. */
      fd: number
      /** The name sent as the multipart file name. */
      name: string
      /** How messages name it: the workspace path. */
      shown: string
      size: number
    }
  | {
      kind: 'url'
      /** Sent as given. */
      url: string
      /** How messages name it: credentials removed (redact.ts displayUrl). */
      shown: string
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
  /** Unpin Nid/Cid from IPFS; only runs that unpin (`unpin-absent: true`) give it. */
  unpinApiUrl?: string
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
const FIRST_BODY_BYTES = 4096

/** One request's body and the headers that describe it; built afresh for every attempt. */
interface Body {
  contentType: string
  length?: number
  body: string | AsyncIterable<Buffer>
}

/** An upload as a request body: the file streamed as multipart, or a URL as JSON. */
function uploadBody(upload: Upload, fields: { version: CidVersion; pin?: boolean }): Body {
  if (upload.kind === 'url') {
    return { contentType: 'application/json', body: JSON.stringify({ fileURL: upload.url, ...fields }) }
  }
  // Streamed from disk, never buffered whole.
  const form = multipartUpload(upload, fields)
  return { contentType: form.contentType, length: form.length, body: form.body() }
}

/**
 * Client for the Numbers endpoints (docs/numbers-api.md): one request per attempt through the retry
 * loop, answers turned into typed values or ApiErrors that say what to change.
 */
export class NumbersClient {
  private readonly agent: Agent
  private readonly redactor: Redactor
  /** Set by a 429: every request of this client waits it out (the service is saying we are too fast). */
  private readonly pause = new SharedPause()

  constructor(private readonly options: ClientOptions) {
    this.redactor = new Redactor([options.token])
    // The retry loop's per-attempt signal bounds each request; the agent only bounds connecting.
    this.agent = new Agent({
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: Math.min(options.timeoutSeconds * 1000, 30_000)
    })
  }

  async getNid(upload: Upload, version: CidVersion): Promise<NidAnswer> {
    const answer = await this.post(Endpoint.GetNid, this.options.nidApiUrl, upload.shown, () =>
      uploadBody(upload, { version })
    )
    return parseNidAnswer(Endpoint.GetNid, answer)
  }

  async pin(upload: Upload, version: CidVersion): Promise<PinAnswer> {
    const answer = await this.post(Endpoint.Pin, this.options.pinApiUrl, upload.shown, () =>
      uploadBody(upload, { version, pin: true })
    )
    return parsePinAnswer(answer)
  }

  /** Unpins `nid`: resolves on a 200 `{"result": true}`, throws an ApiError for anything else. */
  async unpin(nid: string): Promise<void> {
    const url = this.options.unpinApiUrl
    if (!url) throw new Error('internal: an unpin was asked of a client without unpin-api-url')
    const answer = await this.post(Endpoint.Unpin, url, nid, () => ({
      contentType: 'application/json',
      body: JSON.stringify({ nid })
    }))
    parseUnpinAnswer(answer)
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  private retryNotice(endpoint: Endpoint, what: string, { attempt, delayMs, fault }: RetryNotice): void {
    const { log, retries } = this.options
    const retry = `${ENDPOINT_NAME[endpoint]} for ${what}: ${fault.reason}; attempt ${attempt + 1} of ${retries + 1} in ${(delayMs / 1000).toFixed(1)}s`
    if (fault.mayHaveSucceeded && endpoint === Endpoint.Pin) {
      log?.warning(
        `${retry}. The failed attempt may have been pinned already, so this file may be billed twice; check your Capture account's orders for ${what}`
      )
    } else {
      log?.info(retry)
    }
  }

  /** One attempt: a fresh request (and a fresh body), its whole answer read under `signal`. */
  private async attempt(url: string, { contentType, length, body }: Body, signal: AbortSignal): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `token ${this.options.token}`,
      'user-agent': this.options.userAgent,
      accept: 'application/json',
      'content-type': contentType
    }
    if (length !== undefined) headers['content-length'] = String(length)
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
    const { text, cut } = await readText(response.body)
    // Redacted before anything cuts or encodes it: a service may echo the token back.
    return {
      status: response.statusCode,
      contentType: this.redactor.text(String(response.headers['content-type'] ?? '')),
      text: this.redactor.text(text),
      cut
    }
  }

  /** `body()` is called once per attempt; `what` names the file, URL or Nid in messages. */
  private async post(endpoint: Endpoint, url: string, what: string, body: () => Body): Promise<Answer> {
    const policy = {
      ...retryPolicy(this.options, notice => {
        if (notice.fault.status === 429) this.pause.extend(notice.delayMs)
        this.retryNotice(endpoint, what, notice)
      }),
      beforeAttempt: () => this.pause.wait(this.options.signal)
    }
    try {
      return await withRetries(s => this.attempt(url, body(), s), classify, policy)
    } catch (error) {
      throw failureOf(endpoint, error as AttemptsFailed, this.options.timeoutSeconds)
    }
  }
}

/** The error of a request whose attempts all failed. */
function failureOf(endpoint: Endpoint, failed: AttemptsFailed, timeoutSeconds: number): Error {
  const name = ENDPOINT_NAME[endpoint]
  const { attempts, fault, cause } = failed
  if (attempts === 0) return new CancelledError(name)
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

/**
 * The answer, at most 1 MiB of it: error pages can be large, and an excerpt is all that is shown.
 * Runs of white space outside JSON strings count as one, so a valid answer padded with white space
 * is still read whole.
 */
async function readText(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<{ text: string; cut: boolean }> {
  // Grown as needed: answers are a few hundred bytes, and a 1 MiB buffer for each of thousands of
  // requests made V8 count tens of MB of external memory between collections.
  let kept = Buffer.allocUnsafe(FIRST_BODY_BYTES)
  let length = 0
  let inString = false
  let escaped = false
  let space = false
  for await (const chunk of body) {
    for (const byte of chunk) {
      if (!inString && (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d)) {
        if (space) continue
        space = true
      } else {
        space = false
        if (escaped) escaped = false
        else if (inString && byte === 0x5c) escaped = true
        else if (byte === 0x22) inString = !inString
      }
      if (length === MAX_BODY_BYTES) {
        body.destroy()
        return { text: kept.toString('utf8', 0, length), cut: true }
      }
      if (length === kept.length) {
        const larger = Buffer.allocUnsafe(Math.min(MAX_BODY_BYTES, 2 * kept.length))
        kept.copy(larger)
        kept = larger
      }
      kept[length++] = byte
    }
  }
  return { text: kept.toString('utf8', 0, length), cut: false }
}
