import type { EntryResult } from '../types.js'
import { SHOWN } from './limits.js'
import { emptyCounts, totalsFrom, type Totals } from './totals.js'

/**
 * What the summary, the PR comment, the release notes and the closing lines show of a run: its
 * totals, its first failures and its first entries. Bounded whatever the count; the manifest holds
 * every entry.
 */
export interface ResultsDigest {
  totals: Totals
  /** The first failures, in entry order: as many as any report lists by reason. */
  failures: EntryResult[]
  /** The first entries, in entry order: more rows than a 1 MiB summary can hold. */
  head: EntryResult[]
}

/** Rows kept for tables: a summary row takes well over 100 bytes, so 1 MiB never holds more. */
export const HEAD_ENTRIES = 10_000

/** Builds a digest from results given in entry order. */
export class DigestTally {
  private readonly counts = emptyCounts()
  private readonly failures: EntryResult[] = []
  private readonly head: EntryResult[] = []

  add(result: EntryResult): void {
    this.counts[result.status]++
    if (result.status === 'failed' && this.failures.length < SHOWN.summaryFailures) this.failures.push(result)
    if (this.head.length < HEAD_ENTRIES) this.head.push(result)
  }

  digest(): ResultsDigest {
    return { totals: totalsFrom(this.counts), failures: this.failures, head: this.head }
  }
}
