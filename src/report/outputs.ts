import { Outputs } from '../constants.js'
import { NEW_PIN_STATUSES, type EntryResult } from '../types.js'
import { LIMITS } from './limits.js'
import type { ResultsDigest } from './digest.js'

/** A JSON array of some of `items` (already JSON), within `limit` characters. */
interface Cut {
  text: string
  count: number
}

/**
 * A list output as results go by: the length its whole JSON array would have, and its first items,
 * as many as could ever fit (half of GitHub's budget), so nothing longer is kept.
 */
class ListTally {
  /** Length of the JSON array of every item: brackets and commas included. */
  length = 2
  count = 0
  readonly first: string[] = []
  private firstLength = 2

  constructor(private readonly keep: number) {}

  add(item: string): void {
    this.length += item.length + (this.count > 0 ? 1 : 0)
    this.count++
    if (this.firstLength <= this.keep) {
      this.first.push(item)
      this.firstLength += item.length + 1
    }
  }
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

/**
 * The list outputs' items as results go by, in entry order: `results` (whole, and failures first for
 * when it is cut), `nids` and `order-ids`. Memory stays within a few times GitHub's budget.
 */
export class OutputTally {
  readonly results: ListTally
  readonly failures: ListTally
  readonly others: ListTally
  readonly nids: ListTally
  readonly orderIds: ListTally

  constructor(budget: number = LIMITS.outputsUtf16Bytes) {
    const keep = Math.floor(budget / 2)
    this.results = new ListTally(keep)
    this.failures = new ListTally(keep)
    this.others = new ListTally(keep)
    this.nids = new ListTally(keep)
    this.orderIds = new ListTally(keep)
  }

  /** `json` is the result's JSON text (as the manifest holds it). */
  add(result: EntryResult, json: string): void {
    this.results.add(json)
    ;(result.status === 'failed' ? this.failures : this.others).add(json)
    if (result.status !== 'failed' && result.nid) this.nids.add(JSON.stringify(result.nid))
    // Orders this run created: its pins (re-pins too), and failed entries whose order was created all the same.
    if ((NEW_PIN_STATUSES.includes(result.status) || result.status === 'failed') && result.orderId)
      this.orderIds.add(JSON.stringify(result.orderId))
  }
}

/** The outputs of one value each; `results-count` and `truncated` are replaced once the lists are cut. */
function singleOutputs(digest: ResultsDigest, files: OutputContext): Omit<Record<Outputs, string>, ListOutput> {
  const { totals } = digest
  const only = totals.count === 1 ? digest.head[0] : undefined
  return {
    // Its longest value, replaced below.
    [Outputs.ResultsCount]: String(totals.count),
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

/**
 * Every step output, as the strings the runner stores, within GitHub's limit on a step's outputs
 * (`budget`, in UTF-16 bytes). The lists (`results`, `nids`, `order-ids`, `unpinned`) share what the
 * other outputs leave; one that cannot hold every entry keeps what fits (`results`: failures first)
 * and `truncated` says so. The manifest always holds every entry.
 */
export function buildOutputs(
  tally: OutputTally,
  digest: ResultsDigest,
  files: OutputContext,
  budget: number = LIMITS.outputsUtf16Bytes
): Record<Outputs, string> {
  const fixed = singleOutputs(digest, files)
  const unpinned = new ListTally(Math.floor(budget / 2))
  for (const nid of files.unpinned ?? []) unpinned.add(JSON.stringify(nid))
  const lists = [Outputs.Results, Outputs.Nids, Outputs.OrderIds, Outputs.Unpinned]
  // An upper bound: `results-count` can only shrink, and "true" is shorter than "false".
  const used = [...Object.entries(fixed), ...lists.map(name => [name, ''])].reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    0
  )
  const needs = [tally.results.length, tally.nids.length, tally.orderIds.length, unpinned.length]
  // `results` matters most: it gets twice the share of each of `nids`, `order-ids` and `unpinned`.
  const [forResults, forNids, forOrders, forUnpinned] = shareOut(Math.floor(budget / 2) - used, needs, [2, 1, 1, 1])
  const whole = needs[0] <= forResults
  const kept = arrayWithin(whole ? tally.results.first : failuresFirst(tally), forResults)
  const nids = arrayWithin(tally.nids.first, forNids)
  const orders = arrayWithin(tally.orderIds.first, forOrders)
  const unpins = arrayWithin(unpinned.first, forUnpinned)
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

/** Failed entries first, then the others, each in their order: what a cut `results` keeps. */
function* failuresFirst(tally: OutputTally): Generator<string> {
  yield* tally.failures.first
  yield* tally.others.first
}

/** What GitHub counts of a step's outputs: names and values, two bytes a UTF-16 code unit. */
export function outputsUtf16Bytes(outputs: Record<string, string>): number {
  return Object.entries(outputs).reduce((sum, [name, value]) => sum + 2 * (name.length + value.length), 0)
}
