/**
 * `max-monthly-cost`: what a run would spend is estimated before its first paid request and the run
 * is refused when that passes the budget; a meter around the client then keeps the run from ever
 * spending past it, should the estimate have been short (a file changed between the two).
 */
import { API_CALL_COST_NUM, Inputs, PIN_MONTHLY_COST_NUM } from './constants.js'
import type { LocalFile } from './discovery.js'
import { InputError } from './errors.js'
import { localNids } from './nid/local-nids.js'
import type { NumbersApi } from './pipeline/types.js'
import { bounded, formatCount } from './report/format.js'
import { SHOWN } from './report/limits.js'
import { monthlyCost } from './report/totals.js'
import { absentPins } from './retention.js'
import type { CidVersion, Logger, NidSource, PinnedIndex, UnpinMode } from './types.js'

/** NUM without float noise (0.1 + 0.2 is 0.3). */
const num = (value: number): number => Number(value.toFixed(6))

/** What a run costs: new pins (NUM per month) and one-off API calls (Get Nid, Unpin), and their sum. */
export interface Cost {
  newPins: number
  monthly: number
  calls: number
  oneOff: number
  total: number
}

export function costOf(newPins: number, calls: number): Cost {
  const monthly = monthlyCost(newPins)
  const oneOff = num(calls * API_CALL_COST_NUM)
  return { newPins, monthly, calls, oneOff, total: num(monthly + oneOff) }
}

export interface CostEstimate extends Cost {
  /** The files and URLs counted as new pins, in order. */
  counted: string[]
}

export interface RunShape {
  pin: boolean
  nidSource: NidSource
  /** Each file with its local Nid (undefined when it could not be hashed: counted as new). */
  files: readonly { path: string; nid?: string }[]
  /** URLs as shown. */
  urls: readonly string[]
  previous?: PinnedIndex
  /** Unpin calls the run would make. */
  unpins: number
}

/**
 * The most a run can spend: a pin for each distinct content the previous manifest does not list
 * (every URL: its Nid is known only to the service), a Get Nid call for each file (nid-source: api)
 * and for each URL the pipeline identifies first, and each unpin.
 */
export function estimateCost(run: RunShape): CostEstimate {
  const counted: string[] = []
  if (run.pin) {
    const seen = new Set<string>()
    for (const { path, nid } of run.files) {
      if (nid !== undefined && (seen.has(nid) || run.previous?.has(nid))) continue
      if (nid !== undefined) seen.add(nid)
      counted.push(path)
    }
    counted.push(...run.urls)
  }
  // As the pipeline asks: URLs are identified first unless they are pinned with nothing to skip.
  const urlCalls = run.urls.length > 0 && (!run.pin || (run.previous?.size ?? 0) > 0) ? run.urls.length : 0
  const nidCalls = (run.nidSource === 'api' ? run.files.length : 0) + urlCalls
  return { ...costOf(counted.length, nidCalls + run.unpins), counted }
}

export interface RunToEstimate {
  pin: boolean
  nidSource: NidSource
  cidVersion: CidVersion
  unpinAbsent: UnpinMode
  unpinMax: number
  files: readonly LocalFile[]
  urls: readonly string[]
  previous?: PinnedIndex
}

/**
 * The run's estimate, its files hashed first (when what they are decides the cost: new pins, or the
 * pins absent from the set). Unpins are counted as if no URL held an earlier pin: the most there can be.
 */
export async function estimateRun(run: RunToEstimate, signal?: AbortSignal): Promise<CostEstimate> {
  const unpins = run.unpinAbsent === 'true'
  const nids = run.pin || unpins ? await localNids(run.files, run.cidVersion, signal) : []
  const absent = unpins ? absentPins(run.previous, nids).length : 0
  return estimateCost({
    ...run,
    files: run.files.map((file, i) => ({ path: file.path, nid: nids[i] })),
    // More than unpin-max are refused before any unpin.
    unpins: absent <= run.unpinMax ? absent : 0
  })
}

/** How a cost reads: `~0.087 NUM (3 new pins, ~0.087 NUM per month, + 2 API calls, ~0.02 NUM)`. */
export function describeCost(cost: Cost): string {
  return `~${cost.total} NUM (${formatCount(cost.newPins)} new ${cost.newPins === 1 ? 'pin' : 'pins'} at ${PIN_MONTHLY_COST_NUM} NUM per month: ~${cost.monthly} NUM, + ${formatCount(cost.calls)} one-off API ${cost.calls === 1 ? 'call' : 'calls'} at ${API_CALL_COST_NUM} NUM: ~${cost.oneOff} NUM)`
}

/** Files named in a refusal: enough to recognise the set, bounded whatever its size. */
const NAMED = 20

/** Throws when `estimate` passes `max`, naming both and the files counted; nothing has been sent yet. */
export function checkBudget(estimate: CostEstimate, max: number | undefined): void {
  const refusal = budgetRefusal(estimate, max)
  if (refusal) throw new InputError(Inputs.MaxMonthlyCost, refusal)
}

/** Why `estimate` is refused (it passes `max`), naming both and the files counted; undefined within it. */
export function budgetRefusal(estimate: CostEstimate, max: number | undefined): string | undefined {
  if (max === undefined || estimate.total <= max) return undefined
  const named = estimate.counted.slice(0, NAMED).map(path => bounded(path, SHOWN.path))
  const more = estimate.counted.length - named.length
  const files =
    named.length > 0
      ? `; counted as new pins: ${named.join(', ')}${more > 0 ? ` and ${formatCount(more)} more` : ''}`
      : ''
  return `this run would cost ${describeCost(estimate)}, more than the budget of ${max} NUM${files}. Nothing was sent. Raise ${Inputs.MaxMonthlyCost}, or pin fewer files (give previous-manifest so that what is pinned already is not paid again)`
}

/**
 * With `max-monthly-cost` set: the run's estimate, refused (an InputError naming both numbers and the
 * files counted) when it passes the budget. Called before the first paid request.
 */
export async function checkRunBudget(
  run: RunToEstimate & { maxMonthlyCost?: number },
  log: Pick<Logger, 'info'>,
  signal?: AbortSignal
): Promise<void> {
  if (run.maxMonthlyCost === undefined) return
  const estimate = await estimateRun(run, signal)
  checkBudget(estimate, run.maxMonthlyCost)
  log.info(`Estimated cost: ${describeCost(estimate)}, within ${Inputs.MaxMonthlyCost} (${run.maxMonthlyCost} NUM)`)
}

/** A paid call the meter refused: the estimate was short, and the budget holds all the same. */
export class BudgetExceededError extends Error {
  constructor(what: string, spent: number, max: number) {
    super(
      `${what}: not sent: it would take this run's cost past ${Inputs.MaxMonthlyCost} (${max} NUM; ${spent} NUM spent), though the estimate before the run was within it (did a file change during the step?)`
    )
    this.name = 'BudgetExceededError'
  }
}

/**
 * Counts what a run spends, each paid call before it is sent, and refuses a call that would take the
 * total past `max` (no limit when undefined).
 */
export class CostMeter {
  private pins = 0
  private calls = 0

  constructor(readonly max?: number) {}

  /** Charges one pin (`pin`) or one one-off API call (`call`) before it is sent; throws past the budget. */
  charge(kind: 'pin' | 'call', what: string): void {
    const next = kind === 'pin' ? costOf(this.pins + 1, this.calls) : costOf(this.pins, this.calls + 1)
    if (this.max !== undefined && next.total > this.max)
      throw new BudgetExceededError(what, this.spent().total, this.max)
    if (kind === 'pin') this.pins++
    else this.calls++
  }

  /** What was sent so far (a call is counted once sent, whatever its answer: it may be billed). */
  spent(): Cost {
    return costOf(this.pins, this.calls)
  }
}

/** The Numbers calls, with Unpin, that a run pays for. */
export interface PaidApi extends NumbersApi {
  unpin(nid: string): Promise<void>
}

/** `api` with each paid call charged to `meter` before it is sent. */
export function metered(api: PaidApi, meter: CostMeter): PaidApi {
  return {
    getNid: async (upload, version) => {
      meter.charge('call', `Get Nid from File for ${upload.shown}`)
      return api.getNid(upload, version)
    },
    pin: async (upload, version) => {
      meter.charge('pin', upload.shown)
      return api.pin(upload, version)
    },
    unpin: async nid => {
      meter.charge('call', `Unpin of ${nid}`)
      return api.unpin(nid)
    }
  }
}
