import { Outputs } from '../constants.js'
import { NEW_PIN_STATUSES, type EntryResult } from '../types.js'
import { LIMITS } from './limits.js'
import { totalsOf } from './totals.js'

/** A JSON array of some of `items` (already JSON), within `limit` characters. */
interface Cut {
  text: string
  count: number
}

/** Length of the JSON array of all `items`: brackets and commas included. */
function arrayLength(items: readonly string[] | Iterable<string>): number {
  let length = 2
  let count = 0
  for (const item of items) {
    length += item.length
    count++
  }
  return length + Math.max(0, count - 1)
}

/** The first items of `items` whose JSON array fits in `limit` characters; never builds a longer string. */
function arrayWithin(items: Iterable<string>, limit: number): Cut {
  const kept: string[] = []
  let length = 2
  for (const item of items) {
    const more = item.length + (kept.length > 0 ? 1 : 0)
    if (length + more > limit) break
    kept.push(item)
    length += more
  }
  return { text: `[${kept.join(',')}]`, count: kept.length }
}

/**
 * Shares `budget` among outputs that need `needs`, in proportion to `weights`; an output needing less
 * than its share leaves the rest to the others (water-filling).
 */
export function shareOut(budget: number, needs: readonly number[], weights: readonly number[]): number[] {
  const shares = needs.map(() => 0)
  let open = needs.map((_, i) => i)
  let left = Math.max(0, budget)
  for (;;) {
    const weight = open.reduce((sum, i) => sum + weights[i], 0)
    const settled = open.filter(i => needs[i] <= (left * weights[i]) / weight)
    if (settled.length === 0) break
    for (const i of settled) {
      shares[i] = needs[i]
      left -= needs[i]
    }
    open = open.filter(i => !settled.includes(i))
    if (open.length === 0) return shares
  }
  const weight = open.reduce((sum, i) => sum + weights[i], 0)
  for (const i of open) shares[i] = Math.floor((left * weights[i]) / weight)
  return shares
}

function* jsonOf<T>(values: Iterable<T>): Generator<string> {
  for (const value of values) yield JSON.stringify(value)
}

/** Failed entries first, then the others, each in their order: what a cut `results` keeps. */
function* failuresFirst(results: readonly EntryResult[]): Generator<EntryResult> {
  for (const r of results) if (r.status === 'failed') yield r
  for (const r of results) if (r.status !== 'failed') yield r
}

/** What the outputs say besides the entries: where the files are, and what retention unpinned or plans to. */
export interface OutputContext {
  manifest: string
  checksums: string
  /** Nids unpinned (`unpin-absent: true`) or planned (`plan`). */
  unpinned?: readonly string[]
  /** NUM per month saved by them. */
  monthlySaving?: number
}

/** The outputs that hold lists, cut to what fits. */
type ListOutput = Outputs.Results | Outputs.Nids | Outputs.OrderIds | Outputs.Unpinned

/** The outputs of one value each; `results-count` and `truncated` are replaced once the lists are cut. */
function singleOutputs(
  results: readonly EntryResult[],
  files: OutputContext
): Omit<Record<Outputs, string>, ListOutput> {
  const totals = totalsOf(results)
  const only = results.length === 1 ? results[0] : undefined
  return {
    // Its longest value, replaced below.
    [Outputs.ResultsCount]: String(results.length),
    [Outputs.Truncated]: 'false',
    [Outputs.Nid]: only?.status !== 'failed' ? (only?.nid ?? '') : '',
    [Outputs.OrderId]: only?.status !== 'failed' ? (only?.orderId ?? '') : '',
    [Outputs.Count]: String(totals.count),
    [Outputs.PinnedCount]: String(totals.pinned + totals.repinned + totals.alreadyPinned),
    [Outputs.FailedCount]: String(totals.failed),
    [Outputs.Manifest]: files.manifest,
    [Outputs.Checksums]: files.checksums,
    [Outputs.UnpinnedCount]: String((files.unpinned ?? []).length),
    [Outputs.MonthlySaving]: String(files.monthlySaving ?? 0)
  }
}

/** The items of `nids`, `order-ids` and `unpinned` as JSON: functions, since each is walked twice (measured, then cut). */
function listItems(results: readonly EntryResult[], unpinned: readonly string[]) {
  return {
    nids: () => jsonOf(results.filter(r => r.status !== 'failed' && r.nid).map(r => r.nid ?? '')),
    // Orders this run created: its pins (re-pins too), and failed entries whose order was created all the same.
    orderIds: () =>
      jsonOf(
        results
          .filter(r => (NEW_PIN_STATUSES.includes(r.status) || r.status === 'failed') && r.orderId)
          .map(r => r.orderId ?? '')
      ),
    unpinned: () => jsonOf(unpinned)
  }
}

/**
 * Every step output, as the strings the runner stores, within GitHub's limit on a step's outputs
 * (`budget`, in UTF-16 bytes). The lists (`results`, `nids`, `order-ids`, `unpinned`) share what the
 * other outputs leave; one that cannot hold every entry keeps what fits (`results`: failures first)
 * and `truncated` says so. The manifest always holds every entry.
 */
export function buildOutputs(
  results: readonly EntryResult[],
  files: OutputContext,
  budget: number = LIMITS.outputsUtf16Bytes
): Record<Outputs, string> {
  const fixed = singleOutputs(results, files)
  const items = listItems(results, files.unpinned ?? [])
  const lists = [Outputs.Results, Outputs.Nids, Outputs.OrderIds, Outputs.Unpinned]
  // An upper bound: `results-count` can only shrink, and "true" is shorter than "false".
  const used = [...Object.entries(fixed), ...lists.map(name => [name, ''])].reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    0
  )
  const needs = [
    arrayLength(jsonOf(results)),
    arrayLength(items.nids()),
    arrayLength(items.orderIds()),
    arrayLength(items.unpinned())
  ]
  // `results` matters most: it gets twice the share of each of `nids`, `order-ids` and `unpinned`.
  const [forResults, forNids, forOrders, forUnpinned] = shareOut(Math.floor(budget / 2) - used, needs, [2, 1, 1, 1])
  const whole = needs[0] <= forResults
  const kept = arrayWithin(jsonOf(whole ? results : failuresFirst(results)), forResults)
  const nids = arrayWithin(items.nids(), forNids)
  const orders = arrayWithin(items.orderIds(), forOrders)
  const unpins = arrayWithin(items.unpinned(), forUnpinned)
  const truncated = !whole || needs[1] > forNids || needs[2] > forOrders || needs[3] > forUnpinned
  return {
    [Outputs.Results]: kept.text,
    ...fixed,
    [Outputs.ResultsCount]: String(kept.count),
    [Outputs.Truncated]: String(truncated),
    [Outputs.Nids]: nids.text,
    [Outputs.OrderIds]: orders.text,
    [Outputs.Unpinned]: unpins.text
  }
}

/** What GitHub counts of a step's outputs: names and values, two bytes a UTF-16 code unit. */
export function outputsUtf16Bytes(outputs: Record<string, string>): number {
  return Object.entries(outputs).reduce((sum, [name, value]) => sum + 2 * (name.length + value.length), 0)
}
