/** The lines that tell a run's story in the log: what it will do, each entry, progress, what it did. */
import { Inputs, PIN_MONTHLY_COST_NUM } from '../constants.js'
import type { EntryResult, NidSource } from '../types.js'
import { bounded, formatBytes, formatCount } from './format.js'
import type { ResultsDigest } from './digest.js'
import { SHOWN } from './limits.js'
import { monthlyCost, type Totals } from './totals.js'

export interface RunPlan {
  pin: boolean
  nidSource: NidSource
  files: number
  /** Bytes of the files. */
  bytes: number
  urls: number
}

function counted(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`
}

/** The opening line: the mode, and what will happen to how much. */
export function openingLine(plan: RunPlan): string {
  if (plan.files + plan.urls === 0) return 'Nothing to do: no files and no URLs'
  const files = `${counted(plan.files, 'file', 'files')} (${formatBytes(plan.bytes)})`
  const urls = counted(plan.urls, 'URL', 'URLs')
  if (plan.pin) {
    const what = plan.urls > 0 ? (plan.files > 0 ? `${files} and ${urls}` : urls) : files
    return `Pinning ${what} to Numbers: at most ~${monthlyCost(plan.files + plan.urls)} NUM per month for new pins (${PIN_MONTHLY_COST_NUM} NUM each; content an earlier run pinned is not paid again)`
  }
  const checked =
    plan.nidSource === 'api' ? `, each checked by Numbers' Get Nid from File (${Inputs.NidSource}: api)` : ''
  const fetched = plan.urls > 0 ? `, and of ${urls}, which Numbers fetches` : ''
  const sent = plan.nidSource === 'api' || plan.urls > 0 ? 'nothing is pinned' : 'nothing is sent anywhere'
  return `${Inputs.Pin}: false — ${sent}; computing the Nids of ${files}${checked}${fetched}`
}

const OUTCOME: Record<Exclude<EntryResult['status'], 'failed'>, string> = {
  pinned: 'pinned',
  repinned: 're-pinned: its earlier pin was missing at the gateway',
  'already-pinned': 'already pinned',
  'nid-only': 'Nid only'
}

/** One line per entry: `✓ path: Nid (outcome, order)` or `✗ reason`. */
export function entryLine(result: EntryResult): string {
  if (result.status === 'failed')
    return `✗ ${bounded(result.error ?? `${result.path ?? result.url}: failed`, SHOWN.error)}`
  const order = result.orderId ? `, order ${bounded(result.orderId, SHOWN.orderId)}` : ''
  const paid = result.status === 'already-pinned' ? '; not paid again' : ''
  return `✓ ${result.path ?? result.url}: ${result.nid} (${OUTCOME[result.status]}${order}${paid})`
}

/** The closing line: the totals, the cost, and where every entry is recorded. */
export function closingLine(totals: Totals, pin: boolean, manifestPath: string): string {
  const failed = counted(totals.failed, 'failed', 'failed')
  const done = pin
    ? `${formatCount(totals.pinned)} pinned now${totals.repinned ? ` · ${formatCount(totals.repinned)} re-pinned` : ''} · ${formatCount(totals.alreadyPinned)} already pinned${totals.nidOnly ? ` · ${formatCount(totals.nidOnly)} Nid only` : ''} · ${failed} — ~${totals.estimatedMonthlyCost} NUM per month for the new pins`
    : `${counted(totals.nidOnly, 'Nid', 'Nids')} computed · ${failed}; nothing pinned`
  return `Done: ${done}. Every entry is in the manifest: ${manifestPath}`
}

/** The step's failure message: the first failures by reason, then how many more and where. */
export function failureMessage({ failures, totals }: ResultsDigest, manifestPath: string): string {
  const listed = failures.slice(0, SHOWN.messageFailures).map(f => `  - ${bounded(f.error ?? 'failed', SHOWN.error)}`)
  const more = totals.failed - listed.length
  if (more > 0) listed.push(`  … and ${formatCount(more)} more: see the manifest, ${manifestPath}`)
  return `${formatCount(totals.failed)} of ${counted(totals.count, 'entry', 'entries')} failed:\n${listed.join('\n')}`
}

/** Hidden files skipped: the count and the remedy; their names (at most `max`) for debug lines. */
export function hiddenSkipped(hidden: number | readonly string[], max = 1000): { info?: string; debug: string[] } {
  const count = typeof hidden === 'number' ? hidden : hidden.length
  if (count === 0) return { debug: [] }
  const names = typeof hidden === 'number' ? [] : hidden.slice(0, max).map(name => `skipped hidden file: ${name}`)
  if (names.length < count && names.length > 0) names.push(`… and ${formatCount(count - names.length)} more`)
  return {
    info: `${counted(count, 'hidden file', 'hidden files')} matched but ${count === 1 ? 'was' : 'were'} skipped; set ${Inputs.IncludeHiddenFiles}: true to include them${names.length ? ' (named in the debug log)' : ''}`,
    debug: names
  }
}

/** `45s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`
}

export interface ProgressState {
  settled: number
  total: number
  bytes: number
  totalBytes: number
  elapsedMs: number
  /** Undefined until there is enough to estimate from. */
  leftMs?: number
  pinsInFlight: number
  failed: number
}

/** `Progress: 1,234 of 20,000 entries · 1.20 GiB of 3.40 GiB · 45.6 MiB/s · ~1m 10s left · 4 pins in flight · 2 failed` */
export function progressLine(state: ProgressState): string {
  const parts = [`Progress: ${formatCount(state.settled)} of ${counted(state.total, 'entry', 'entries')}`]
  if (state.totalBytes > 0) {
    parts.push(`${formatBytes(state.bytes)} of ${formatBytes(state.totalBytes)}`)
    if (state.elapsedMs > 0) parts.push(`${formatBytes(Math.round((state.bytes * 1000) / state.elapsedMs))}/s`)
  }
  if (state.leftMs !== undefined) parts.push(`~${formatDuration(state.leftMs)} left`)
  if (state.pinsInFlight > 0) parts.push(`${counted(state.pinsInFlight, 'pin', 'pins')} in flight`)
  parts.push(`${formatCount(state.failed)} failed`)
  return parts.join(' · ')
}
