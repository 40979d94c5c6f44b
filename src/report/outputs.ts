import { Outputs } from '../constants.js'
import type { EntryResult } from '../types.js'
import { totalsOf } from './totals.js'

/** Every step output, as the strings the runner stores. */
export function buildOutputs(
  results: readonly EntryResult[],
  files: { manifest: string; checksums: string }
): Record<Outputs, string> {
  const totals = totalsOf(results)
  const succeeded = results.filter(r => r.status !== 'failed' && r.nid)
  // Orders this run created: its pins, and failed entries whose order was created all the same.
  const created = results.filter(r => (r.status === 'pinned' || r.status === 'failed') && r.orderId).map(r => r.orderId)
  const only = results.length === 1 ? results[0] : undefined
  return {
    [Outputs.Results]: JSON.stringify(results),
    [Outputs.Nids]: JSON.stringify(succeeded.map(r => r.nid)),
    [Outputs.OrderIds]: JSON.stringify(created),
    [Outputs.Nid]: only?.status !== 'failed' ? (only?.nid ?? '') : '',
    [Outputs.OrderId]: only?.status !== 'failed' ? (only?.orderId ?? '') : '',
    [Outputs.Count]: String(totals.count),
    [Outputs.PinnedCount]: String(totals.pinned + totals.alreadyPinned),
    [Outputs.FailedCount]: String(totals.failed),
    [Outputs.Manifest]: files.manifest,
    [Outputs.Checksums]: files.checksums
  }
}
