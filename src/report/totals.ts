import { PIN_MONTHLY_COST_NUM } from '../constants.js'
import type { EntryStatus } from '../types.js'

export interface Totals {
  count: number
  pinned: number
  /** Earlier pins found missing at the gateway and pinned again (verify-previous): new orders too. */
  repinned: number
  alreadyPinned: number
  nidOnly: number
  failed: number
  /** Estimated NUM per month of the pins this run created. */
  estimatedMonthlyCost: number
}

/** Estimated NUM per month of `pins` new pins, without float noise (3 × 0.029 = 0.087). */
export function monthlyCost(pins: number): number {
  return Number((pins * PIN_MONTHLY_COST_NUM).toFixed(6))
}

/** A count per status, all zero. */
export function emptyCounts(): Record<EntryStatus, number> {
  return { pinned: 0, repinned: 0, 'already-pinned': 0, 'nid-only': 0, failed: 0 }
}

/** The totals of a run whose entries had these statuses. */
export function totalsFrom(count: Readonly<Record<EntryStatus, number>>): Totals {
  return {
    count: Object.values(count).reduce((sum, n) => sum + n, 0),
    pinned: count.pinned,
    repinned: count.repinned,
    alreadyPinned: count['already-pinned'],
    nidOnly: count['nid-only'],
    failed: count.failed,
    estimatedMonthlyCost: monthlyCost(count.pinned + count.repinned)
  }
}
