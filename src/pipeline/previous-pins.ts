/**
 * verify-previous: an earlier run's pin lets an entry be skipped only once the gateway serves its
 * root block. A re-pin is paid, so only the gateway's own word that it does not have the Nid (404,
 * 410) makes one. An outage (no answer, 5xx after the retries) is no such word: the entry stays
 * already pinned, with a warning, and the next run checks it again. An unattended nightly run thus
 * neither pays again for everything nor fails everything while a gateway is down.
 */
import { checkRootBlock, gatewayAgent } from '../gateway/check.js'
import type { Verdict } from '../gateway/verdict.js'
import type { CheckPin, PipelineLogger, PipelineOptions, PreviousPinCheck } from './types.js'

/** Checks failing in a row after which the gateway is taken as down and the rest are not checked. */
export const GATEWAY_DOWN_AFTER = 3

const earlier = (nid: string, known: Parameters<PreviousPinCheck>[2]): string =>
  `${nid} (pinned by an earlier run, order ${known.orderId ?? 'unknown'})`

/**
 * The run's check of earlier pins: each Nid checked once, however many entries share it; without
 * `checkPin` (verify-previous: false), every earlier pin is kept as listed, with no request.
 */
export function previousPinCheck(
  options: Pick<PipelineOptions, 'checkPin' | 'gatewayUrl' | 'log' | 'signal'>
): PreviousPinCheck {
  const { checkPin, gatewayUrl, log, signal } = options
  if (!checkPin) return async () => 'keep'
  const checks = new Map<string, Promise<Verdict | undefined>>()
  let failedInARow = 0
  let down = false

  /** The verdict, or undefined when the gateway was taken as down before this check started. */
  const check = async (nid: string): Promise<Verdict | undefined> => {
    if (down) return undefined
    const verdict = await checkPin(nid)
    if (verdict.status !== 'error') failedInARow = 0
    else if (++failedInARow >= GATEWAY_DOWN_AFTER && !down && !signal?.aborted) {
      down = true
      log.warning(
        `${gatewayUrl} failed ${failedInARow} checks in a row (last: ${verdict.detail}); taken as down: the other earlier pins of this run are not checked and stay already pinned, not paid again. The next run with verify-previous checks them`
      )
    }
    return verdict
  }

  return async (nid, what, known) => {
    let pending = checks.get(nid)
    if (!pending) {
      pending = check(nid)
      checks.set(nid, pending)
    }
    const verdict = await pending
    if (!verdict) {
      log.debug(`${what}: ${earlier(nid, known)} not checked: ${gatewayUrl} was taken as down`)
      return 'keep'
    }
    switch (verdict.status) {
      case 'verified':
        log.debug(`${what}: ${nid} is served by ${gatewayUrl} (${verdict.detail})`)
        return 'keep'
      case 'missing':
        log.info(`${what}: ${earlier(nid, known)} is missing at ${gatewayUrl} (${verdict.detail}); pinning it again`)
        return 'repin'
      case 'corrupt':
        throw new Error(
          `${earlier(nid, known)} is served by ${gatewayUrl} with wrong bytes: ${verdict.detail}. Nothing was pinned again: a new pin of the same Nid would not change what the gateway serves. Check gateway-url (a proxy altering answers?) or check the Nid at another gateway with the verify sub-action; if Numbers' gateway serves these bytes, report the Nid to Numbers`
        )
      case 'error': {
        const message = `${what}: ${earlier(nid, known)} could not be checked at ${gatewayUrl} (${verdict.detail}); kept as already pinned, not paid again on doubt. The next run with verify-previous checks it again`
        if (signal?.aborted) log.debug(message)
        else log.warning(message)
        return 'keep'
      }
    }
  }
}

export interface GatewaySettings {
  gatewayUrl: string
  retries: number
  timeoutSeconds: number
  userAgent: string
  log: PipelineLogger
  /** The run's cancellation: no new attempt once aborted (an attempt in flight still answers). */
  signal?: AbortSignal
}

/** checkRootBlock at the run's gateway, with its retries and timeout, over one connection pool to close at the end. */
export function gatewayPinCheck(settings: GatewaySettings): { checkPin: CheckPin; close: () => Promise<void> } {
  const { gatewayUrl, retries, timeoutSeconds, userAgent, log, signal } = settings
  const dispatcher = gatewayAgent(timeoutSeconds)
  return {
    checkPin: nid =>
      checkRootBlock(nid, gatewayUrl, {
        retries,
        timeoutSeconds,
        dispatcher,
        userAgent,
        signal,
        onRetry: (cid, { attempt, delayMs, fault }) =>
          log.info(
            `Checking ${cid} at ${gatewayUrl}: ${fault.reason}; attempt ${attempt + 1} of ${retries + 1} in ${(delayMs / 1000).toFixed(1)}s`
          )
      }),
    close: () => dispatcher.close()
  }
}
