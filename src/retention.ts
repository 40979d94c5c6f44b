/**
 * Retention: earlier pins the current set no longer has are unpinned (`unpin-absent: true`) or listed
 * (`plan`), so a nightly run stops paying for what is gone. An unpin is final (pinning again is a new,
 * paid order), so nothing is unpinned unless the run saw the whole set and trusts what it saw.
 */
import { mapLimit } from './concurrency.js'
import { Inputs } from './constants.js'
import { messageOf } from './errors.js'
import type { UnpinRecord } from './manifest.js'
import { monthlyCost } from './report/totals.js'
import type { CidVersion, EntryResult, PinnedIndex, UnpinMode } from './types.js'

/** An earlier pin that no entry of this run holds. */
export interface AbsentPin {
  nid: string
  orderId?: string
  /** The paths or URLs that held it when the ledger last saw it. */
  paths: readonly string[]
}

/** Earlier pins whose Nid none of `held` (every Nid this run came across, whatever its status) is. */
export function absentPins(previous: PinnedIndex | undefined, held: Iterable<string | undefined>): AbsentPin[] {
  if (!previous?.size) return []
  // Bounded by the ledger, not by the run: the run's Nids are only walked.
  const absent = new Set(previous.keys())
  for (const nid of held) if (nid !== undefined) absent.delete(nid)
  return [...absent].map(nid => {
    const pin = previous.get(nid)!
    return { nid, orderId: pin.orderId, paths: pin.paths ?? [] }
  })
}

/** The Nids of `results`, walked as they are asked for. */
function* nidsOf(results: Iterable<EntryResult>): Generator<string | undefined> {
  for (const r of results) yield r.nid
}

/** What the run knows of itself that decides whether it may trust its view of the set. */
export interface RunFacts {
  /** Entries that failed (a merge: also shards that did not finish). */
  failed: number
  /** The run found no files where it looked (a broken glob), or no entry at all. */
  foundNothing: boolean
  cidVersion: CidVersion
  /** The CID version of the previous manifest, when it records one. */
  previousCidVersion?: CidVersion
}

/** The interlock that holds, as the warning that says so; undefined when none does. */
export function interlockHeld(facts: RunFacts): string | undefined {
  const nothing = `${Inputs.UnpinAbsent}: nothing unpinned`
  if (facts.previousCidVersion !== undefined && facts.previousCidVersion !== facts.cidVersion) {
    return `${nothing}: the previous manifest was written with cid-version ${facts.previousCidVersion} and this run computes cid-version ${facts.cidVersion}, so its Nids cannot be matched with this run's. Run with cid-version: ${facts.previousCidVersion}, or start a new ledger`
  }
  if (facts.failed > 0) {
    return `${nothing}: this run had ${facts.failed} ${facts.failed === 1 ? 'failure' : 'failures'}, and a failed entry may hold a pin that is still wanted. Fix the failures; the next run unpins what is absent then`
  }
  if (facts.foundNothing) {
    return `${nothing}: this run found no files, and a broken glob must not empty the ledger. Check '${Inputs.Path}'`
  }
  return undefined
}

/** A retention step's outcome, for the manifest, the outputs and the summary. */
export interface RetentionReport {
  mode: UnpinMode
  /** plan: what `true` would unpin; true: what was unpinned. */
  listed: AbsentPin[]
  /** true: the unpins done, as the manifest records them. */
  unpinned: UnpinRecord[]
  /** One message per Nid whose unpin failed: it stays in the ledger and is tried again next run. */
  failed: string[]
  /** Why nothing was unpinned: an interlock held (a warning). */
  held?: string
  /** More absent than unpin-max: nothing was unpinned (true: the step fails; plan: a warning). */
  overLimit?: string
  /** NUM per month no longer paid for what is listed. */
  monthlySaving: number
}

export interface RetentionOptions {
  unpinAbsent: UnpinMode
  unpinMax: number
  cidVersion: CidVersion
  concurrency: number
  previous?: PinnedIndex
  previousCidVersion?: CidVersion
  /** Every entry of the run (walked, never kept): any Nid one holds, whatever its status, is kept. */
  results: Iterable<EntryResult>
  /** Failures the results do not show (a merge: shards that did not finish). */
  unfinished?: number
  /** The run found no files where it looked (a broken glob), or no entry at all. */
  foundNothing: boolean
  /** Unpins one Nid (the Numbers client); needed with `unpinAbsent: 'true'`. */
  unpin?: (nid: string) => Promise<void>
  signal?: AbortSignal
  now?: () => string
}

const nothingDone = (mode: UnpinMode): RetentionReport => ({
  mode,
  listed: [],
  unpinned: [],
  failed: [],
  monthlySaving: 0
})

/** How a Nid is named in messages: the Nid, then the first of its paths. */
export function describePin(pin: AbsentPin): string {
  const more = pin.paths.length > 1 ? ` and ${pin.paths.length - 1} more` : ''
  return pin.paths.length > 0 ? `${pin.nid} (${pin.paths[0]}${more})` : pin.nid
}

/**
 * The absent pins, listed (plan) or unpinned (true), unless an interlock holds or there are more
 * than `unpinMax`: then nothing is unpinned and the report says why.
 */
export async function retain(options: RetentionOptions): Promise<RetentionReport> {
  const { unpinAbsent: mode, results } = options
  if (mode === 'false' || !options.previous) return nothingDone(mode)
  let failed = options.unfinished ?? 0
  for (const r of results) if (r.status === 'failed') failed++
  const held = interlockHeld({ ...options, failed })
  if (held) return { ...nothingDone(mode), held }
  const absent = absentPins(options.previous, nidsOf(results))
  if (absent.length > options.unpinMax) {
    const overLimit = `${Inputs.UnpinAbsent}: ${absent.length} earlier pins are absent from this run, more than ${Inputs.UnpinMax} (${options.unpinMax}); nothing was unpinned. If losing that many is expected, set ${Inputs.UnpinMax}: ${absent.length}; otherwise check '${Inputs.Path}' and '${Inputs.FileUrls}'`
    return mode === 'plan'
      ? { ...nothingDone(mode), listed: absent, overLimit, monthlySaving: monthlyCost(absent.length) }
      : { ...nothingDone(mode), overLimit }
  }
  if (mode === 'plan') return { ...nothingDone(mode), listed: absent, monthlySaving: monthlyCost(absent.length) }

  return unpinEach(absent, options)
}

/** Unpins each absent pin: a failed unpin (or one not started, the run cancelled) stays in the ledger. */
async function unpinEach(absent: AbsentPin[], options: RetentionOptions): Promise<RetentionReport> {
  const unpin = options.unpin
  if (!unpin) throw new Error('internal: unpin-absent: true without a Numbers client')
  const now = options.now ?? (() => new Date().toISOString())
  type Outcome = { pin: AbsentPin; unpinnedAt: string } | { pin: AbsentPin; error: string }
  const outcomes = await mapLimit(
    absent,
    options.concurrency,
    async (pin): Promise<Outcome> => {
      try {
        await unpin(pin.nid)
        return { pin, unpinnedAt: now() }
      } catch (error) {
        return {
          pin,
          error: `Unpin of ${describePin(pin)} failed: ${messageOf(error)}; it stays in the ledger and is tried again next run`
        }
      }
    },
    options.signal
  )
  const report = nothingDone(options.unpinAbsent)
  for (const outcome of outcomes) {
    // Not started: the run was cancelled. It stays in the ledger like a failed one.
    if (!outcome) continue
    if ('error' in outcome) {
      report.failed.push(outcome.error)
      continue
    }
    const { pin, unpinnedAt } = outcome
    report.listed.push(pin)
    report.unpinned.push({
      nid: pin.nid,
      ...(pin.orderId ? { orderId: pin.orderId } : {}),
      unpinnedAt,
      ...(pin.paths.length > 0 ? { paths: [...pin.paths] } : {})
    })
  }
  report.monthlySaving = monthlyCost(report.unpinned.length)
  return report
}
