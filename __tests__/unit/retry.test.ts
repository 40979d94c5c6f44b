import { jest } from '@jest/globals'
import {
  AttemptsFailed,
  backoffMs,
  retryAfterMs,
  withRetries,
  type Fault,
  type RetryNotice,
  type RetryPolicy
} from '../../src/numbers/retry.js'

const retryable = (reason: string, extra: Partial<Fault> = {}): Fault => ({
  retryable: true,
  mayHaveSucceeded: false,
  reason,
  ...extra
})
/** Classifies thrown Faults as themselves, and an aborted attempt as a timeout. */
const classify = (error: unknown, timedOut: boolean): Fault =>
  timedOut ? retryable('timed out', { mayHaveSucceeded: true }) : (error as Fault)

function policy(notices: RetryNotice[], extra: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    retries: 3,
    timeoutMs: 1000,
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    maxRetryAfterMs: 60_000,
    random: () => 0.5,
    onRetry: notice => notices.push(notice),
    ...extra
  }
}

beforeEach(() => jest.useFakeTimers())
afterEach(() => jest.useRealTimers())

test('retries a retryable failure with exponential backoff, then succeeds', async () => {
  const notices: RetryNotice[] = []
  let calls = 0
  const result = withRetries(
    async () => {
      calls++
      if (calls < 3) throw retryable(`HTTP 503 #${calls}`)
      return 'ok'
    },
    classify,
    policy(notices)
  )
  await jest.advanceTimersByTimeAsync(50) // first wait: 0.5 × 100 ms
  expect(calls).toBe(2)
  await jest.advanceTimersByTimeAsync(100) // second wait: 0.5 × 200 ms
  await expect(result).resolves.toBe('ok')
  expect(notices.map(n => [n.attempt, n.delayMs, n.fault.reason])).toEqual([
    [1, 50, 'HTTP 503 #1'],
    [2, 100, 'HTTP 503 #2']
  ])
})

test('Retry-After sets the wait, cut to the policy maximum', async () => {
  const notices: RetryNotice[] = []
  let calls = 0
  const result = withRetries(
    async () => {
      if (++calls === 1) throw retryable('HTTP 429', { retryAfterMs: 120_000 })
      return calls
    },
    classify,
    policy(notices, { maxRetryAfterMs: 5000 })
  )
  await jest.advanceTimersByTimeAsync(4999)
  expect(calls).toBe(1)
  await jest.advanceTimersByTimeAsync(1)
  await expect(result).resolves.toBe(2)
  expect(notices[0].delayMs).toBe(5000)
})

test('a final failure is not retried and says how many attempts were made', async () => {
  let calls = 0
  const failure = withRetries(
    async () => {
      calls++
      throw { retryable: false, mayHaveSucceeded: false, reason: 'HTTP 401' }
    },
    classify,
    policy([])
  ).catch((e: unknown) => e)
  await jest.runAllTimersAsync()
  const error = (await failure) as AttemptsFailed
  expect(calls).toBe(1)
  expect(error).toBeInstanceOf(AttemptsFailed)
  expect([error.attempts, error.fault.reason, error.message]).toEqual([1, 'HTTP 401', 'HTTP 401 after 1 attempt'])
})

test('gives up after retries + 1 attempts', async () => {
  let calls = 0
  const failure = withRetries(
    async () => {
      throw retryable(`HTTP 502 #${++calls}`)
    },
    classify,
    policy([], { retries: 2 })
  ).catch((e: unknown) => e)
  await jest.runAllTimersAsync()
  const error = (await failure) as AttemptsFailed
  expect(calls).toBe(3)
  expect([error.attempts, error.fault.reason]).toEqual([3, 'HTTP 502 #3'])
})

test('the timeout bounds each attempt as a whole and counts as a retryable timeout', async () => {
  const notices: RetryNotice[] = []
  let calls = 0
  // An attempt that never answers unless its signal aborts (a server that drips bytes for ever).
  const hang = (signal: AbortSignal): Promise<never> =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
  const failure = withRetries(
    signal => {
      calls++
      return hang(signal)
    },
    classify,
    policy(notices, { retries: 1, timeoutMs: 1000 })
  ).catch((e: unknown) => e)
  await jest.advanceTimersByTimeAsync(999)
  expect(notices).toEqual([])
  await jest.advanceTimersByTimeAsync(1)
  expect(notices.map(n => n.fault.reason)).toEqual(['timed out'])
  await jest.runAllTimersAsync()
  const error = (await failure) as AttemptsFailed
  expect([calls, error.attempts, error.fault.reason, error.fault.mayHaveSucceeded]).toEqual([2, 2, 'timed out', true])
})

test('a cancelled run starts no new attempt and stops waiting at once', async () => {
  const controller = new AbortController()
  let calls = 0
  const failure = withRetries(
    async () => {
      calls++
      throw retryable('HTTP 503')
    },
    classify,
    policy([], { signal: controller.signal, backoffBaseMs: 10_000, random: () => 0.99 })
  ).catch((e: unknown) => e)
  await jest.advanceTimersByTimeAsync(10)
  controller.abort()
  await jest.advanceTimersByTimeAsync(0)
  expect(await failure).toBeInstanceOf(AttemptsFailed)
  expect(calls).toBe(1)
})

test('Retry-After: seconds, HTTP dates, and junk', () => {
  const now = Date.parse('2026-11-23T00:00:00Z')
  expect(retryAfterMs('3', now)).toBe(3000)
  expect(retryAfterMs('Mon, 23 Nov 2026 00:00:10 GMT', now)).toBe(10_000)
  expect(retryAfterMs('Sun, 22 Nov 2026 00:00:00 GMT', now)).toBe(0)
  expect(retryAfterMs('soon', now)).toBeUndefined()
  expect(retryAfterMs(undefined, now)).toBeUndefined()
})

test('full-jitter backoff stays below the doubling ceiling and the cap', () => {
  expect(backoffMs(1, 1000, 30_000, () => 0.999)).toBe(999)
  expect(backoffMs(3, 1000, 30_000, () => 0.5)).toBe(2000)
  expect(backoffMs(10, 1000, 30_000, () => 0.999)).toBe(29_970)
  expect(backoffMs(2, 1000, 30_000, () => 0)).toBe(0)
})
