/**
 * The one retry loop of the action.
 *
 * Why a loop of our own and not undici's RetryAgent: a multipart upload is a stream that can be sent
 * once, so every attempt needs a fresh request with a fresh body; RetryAgent re-sends the same body
 * and needs a dispatcher trick to work around it, its `methods`/`errorCodes` options are ignored once
 * a custom `retry` callback decides, and its timeouts (undici's `bodyTimeout` is per chunk) cannot
 * bound a whole attempt. Here each attempt is one call with its own `AbortSignal.timeout`, so a
 * server that drips a byte every few seconds is cut off at `timeout` all the same.
 */

/** Statuses and connection faults worth another attempt; 400/401/403/404 never are. */
export const RETRY_STATUSES = [429, 500, 502, 503, 504]
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
  'UND_ERR_CONNECT_TIMEOUT'
]

/** How one failed attempt is judged. */
export interface Fault {
  /** Worth another attempt (429, 5xx, timeouts, dropped connections); 4xx never are. */
  retryable: boolean
  /** No answer came, but the service may have acted on the request (a timeout, a dropped connection). */
  mayHaveSucceeded: boolean
  /** Short, for messages: `HTTP 503`, `ECONNRESET`, `timed out`. */
  reason: string
  /** The service's `Retry-After`, in milliseconds. */
  retryAfterMs?: number
  /** The HTTP status, when the attempt was answered with one. */
  status?: number
}

export interface RetryNotice {
  /** The attempt that failed, from 1. */
  attempt: number
  delayMs: number
  fault: Fault
}

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number
  /** Bounds each attempt as a whole: connecting, headers and the entire body. */
  timeoutMs: number
  /** First backoff ceiling; doubles per attempt (full jitter picks a delay below it). */
  backoffBaseMs: number
  backoffMaxMs: number
  /** A `Retry-After` longer than this is cut to it. */
  maxRetryAfterMs: number
  /**
   * Aborting it (the run is cancelled) ends the loop: no new attempt, no waiting. An attempt already
   * sent is not aborted: its answer (a paid order, say) is still worth recording.
   */
  signal?: AbortSignal
  onRetry?: (notice: RetryNotice) => void
  /** Awaited before each attempt (and before its timeout starts): a pause shared by many requests. */
  beforeAttempt?: () => Promise<void>
  /** The jitter's source of randomness (tests pin it). */
  random?: () => number
}

/** The retry settings an action's inputs give (retries, timeout) and its tuning (tests shorten the backoff). */
export interface RetrySettings {
  retries: number
  timeoutSeconds: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  signal?: AbortSignal
}

/** A `Retry-After` is honoured up to a minute, and never beyond one attempt's timeout. */
const MAX_RETRY_AFTER_MS = 60_000

/** The policy of the retry loop for these settings. */
export function retryPolicy(settings: RetrySettings, onRetry?: (notice: RetryNotice) => void): RetryPolicy {
  const { retries, timeoutSeconds, backoffBaseMs = 1000, backoffMaxMs = 30_000, signal } = settings
  return {
    retries,
    timeoutMs: timeoutSeconds * 1000,
    backoffBaseMs,
    backoffMaxMs,
    maxRetryAfterMs: Math.min(MAX_RETRY_AFTER_MS, timeoutSeconds * 1000),
    signal,
    onRetry
  }
}

/**
 * A pause that every request of one client waits out before its next attempt. A 429 says that we, not
 * one request, are too fast: the whole pool slows down, not only the request that was told.
 */
export class SharedPause {
  private until = 0

  /** Pauses every request for at least `ms` from now. */
  extend(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms)
  }

  /** Resolves once the pause is over, or at once when `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    const ms = this.until - Date.now()
    return ms > 0 ? sleep(ms, signal) : Promise.resolve()
  }
}

/** Every attempt failed (or the last one could not be retried). */
export class AttemptsFailed extends Error {
  constructor(
    readonly attempts: number,
    readonly fault: Fault,
    readonly cause: unknown
  ) {
    super(
      attempts === 0 ? fault.reason : `${fault.reason} after ${attempts === 1 ? '1 attempt' : `${attempts} attempts`}`
    )
    this.name = 'AttemptsFailed'
  }
}

/** Faults after which the service may have acted on the request even though no answer came. */
const UNCERTAIN_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']
/** Statuses from a proxy in front of the service, which may have acted on the request all the same. */
const UNCERTAIN_STATUSES = [502, 504]

/** A status the loop may retry, carried out of an attempt. */
export class StatusFault extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: number | undefined
  ) {
    super(`HTTP ${status}`)
  }
}

/** Judges one failed HTTP attempt: a retryable status, a timeout or a connection fault. */
export function classify(error: unknown, timedOut: boolean): Fault {
  if (error instanceof StatusFault) {
    return {
      retryable: true,
      mayHaveSucceeded: UNCERTAIN_STATUSES.includes(error.status),
      reason: error.message,
      status: error.status,
      retryAfterMs: error.retryAfter
    }
  }
  if (timedOut) return { retryable: true, mayHaveSucceeded: true, reason: 'timed out' }
  const { code, message } = error as { code?: string; message?: string }
  return {
    retryable: code !== undefined && RETRY_CODES.includes(code),
    mayHaveSucceeded: code !== undefined && UNCERTAIN_CODES.includes(code),
    reason: code ?? message ?? 'connection failed'
  }
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

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Runs `attempt` until it succeeds, `classify` says its failure is final, `retries` more attempts
 * have failed, or the run is cancelled. Each attempt gets a signal that aborts at `timeoutMs`.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal, number: number) => Promise<T>,
  classify: (error: unknown, timedOut: boolean) => Fault,
  policy: RetryPolicy
): Promise<T> {
  let last: AttemptsFailed | undefined
  for (let number = 1; ; number++) {
    await policy.beforeAttempt?.()
    if (policy.signal?.aborted) {
      throw last ?? new AttemptsFailed(0, { retryable: false, mayHaveSucceeded: false, reason: 'cancelled' }, undefined)
    }
    // AbortSignal.timeout's timer, but cleared as soon as the attempt settles.
    const timeout = new AbortController()
    const timer = setTimeout(
      () => timeout.abort(new DOMException('attempt timed out', 'TimeoutError')),
      policy.timeoutMs
    )
    try {
      return await attempt(timeout.signal, number)
    } catch (error) {
      const fault = classify(error, timeout.signal.aborted)
      last = new AttemptsFailed(number, fault, error)
      if (!fault.retryable || number > policy.retries || policy.signal?.aborted) throw last
      const delayMs =
        fault.retryAfterMs !== undefined
          ? Math.min(fault.retryAfterMs, policy.maxRetryAfterMs)
          : backoffMs(number, policy.backoffBaseMs, policy.backoffMaxMs, policy.random)
      policy.onRetry?.({ attempt: number, delayMs, fault })
      await sleep(delayMs, policy.signal)
    } finally {
      clearTimeout(timer)
    }
  }
}
