import { PIN_MONTHLY_COST_NUM } from '../constants.js'
import type { EntryResult } from '../types.js'

export interface Totals {
  count: number
  pinned: number
  alreadyPinned: number
  nidOnly: number
  failed: number
  /** Estimated NUM per month of the pins this run created. */
  estimatedMonthlyCost: number
}

export function totalsOf(results: readonly EntryResult[]): Totals {
  const count = (status: EntryResult['status']): number => results.filter(r => r.status === status).length
  const pinned = count('pinned')
  return {
    count: results.length,
    pinned,
    alreadyPinned: count('already-pinned'),
    nidOnly: count('nid-only'),
    failed: count('failed'),
    estimatedMonthlyCost: Number((pinned * PIN_MONTHLY_COST_NUM).toFixed(6))
  }
}
