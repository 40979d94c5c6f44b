import type { EntryResult } from '../types.js'
import {
  bounded,
  escapeHtml,
  escapeMarkdown,
  exactBytes,
  formatBytes,
  formatCount,
  isPlainId,
  shortId,
  unbroken,
  unmention
} from './format.js'
import { LIMITS, SHOWN } from './limits.js'
import type { ResultsDigest } from './digest.js'
import type { Totals } from './totals.js'

/** The size of a text as a limit counts it: UTF-8 bytes (job summary) or characters (comments, releases). */
export type Measure = (text: string) => number
export const utf8Bytes: Measure = text => Buffer.byteLength(text, 'utf8')
export const characters: Measure = text => text.length

export function totalsLine(totals: Totals, pin: boolean): string {
  const count = `${formatCount(totals.count)} ${totals.count === 1 ? 'entry' : 'entries'}`
  if (!pin)
    return `${count} · ${formatCount(totals.nidOnly)} ${totals.nidOnly === 1 ? 'Nid' : 'Nids'} computed · ${formatCount(totals.failed)} failed — \`pin: false\`: nothing was pinned`
  const parts = [
    count,
    `${formatCount(totals.pinned)} pinned now`,
    `${formatCount(totals.alreadyPinned)} already pinned`
  ]
  if (totals.repinned) parts.splice(2, 0, `${formatCount(totals.repinned)} re-pinned (missing at the gateway)`)
  if (totals.nidOnly) parts.push(`${formatCount(totals.nidOnly)} Nid only`)
  parts.push(`${formatCount(totals.failed)} failed`)
  return `${parts.join(' · ')} — estimated cost of new pins: ~${totals.estimatedMonthlyCost} NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)`
}

const STATUS_LABEL: Record<EntryResult['status'], string> = {
  pinned: unbroken('📌 pinned'),
  repinned: unbroken('🔁 re-pinned'),
  'already-pinned': unbroken('✅ already pinned'),
  'nid-only': unbroken('🔖 Nid only'),
  failed: unbroken('❌ failed')
}

/** A GFM table cell holding HTML: escaped, and with no pipe left to split the cell. */
function htmlCell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '&#124;')
}

/** A link target that cannot end the Markdown link early: no spaces, brackets or quotes left raw. */
function linkTarget(url: string): string {
  return url.replace(/[\s<>()"'\\`]/g, c => encodeURIComponent(c))
}

/** Sizes shown to the byte where rounding would make two different sizes of the table read the same. */
function sizesToShowExactly(results: readonly EntryResult[]): Set<string> {
  const firstSize = new Map<string, number>()
  const clashing = new Set<string>()
  for (const { size } of results) {
    if (size === undefined || size < 1024) continue
    const shown = formatBytes(size)
    const seen = firstSize.get(shown)
    if (seen === undefined) firstSize.set(shown, size)
    else if (seen !== size) clashing.add(shown)
  }
  return clashing
}

function sizeCell(size: number | undefined, exact: Set<string>): string {
  if (size === undefined || size < 1024) return unbroken(formatBytes(size))
  const rounded = formatBytes(size)
  if (exact.has(rounded)) return unbroken(`${formatCount(size)} B`)
  return `<span title="${exactBytes(size)}">${unbroken(rounded)}</span>`
}

function nidCell(r: EntryResult): string {
  if (!r.nid) return '—'
  if (!isPlainId(r.nid)) return escapeMarkdown(bounded(r.nid, SHOWN.nid))
  const code = shortCode(r.nid)
  return r.gatewayUrl?.endsWith(r.nid) ? `[${code}](${linkTarget(r.gatewayUrl)})` : code
}

/** An id shown short, whole in its title: `bafkrei…vei4`, on one line (the copyable block has it whole). */
function shortCode(id: string): string {
  // Word joiners and non-breaking hyphens: neither the ellipsis nor a hyphen is a place to break it.
  const shown = shortId(id).replace('…', '\u2060…\u2060').replace(/-/g, '\u2011')
  return `<code title="${htmlCell(id)}">${htmlCell(shown)}</code>`
}

function orderCell(orderId: string | undefined): string {
  return orderId ? shortCode(bounded(orderId, SHOWN.orderId)) : '—'
}

/** A line of the copyable block: the full Nid, the order ID, the name. */
function copyLine(r: EntryResult, orders: boolean): string | undefined {
  if (!r.nid) return undefined
  const order = orders ? `  ${r.orderId ? bounded(r.orderId, SHOWN.orderId) : '-'}` : ''
  // GitHub mentions users even inside <pre>: the path keeps its `@` from mentioning anyone.
  return unmention(
    escapeHtml(
      `${bounded(r.nid, SHOWN.nid)}${order}  ${bounded(r.path ?? r.url ?? '', SHOWN.path)}`.replace(/[\r\n]/g, ' ')
    )
  )
}

export interface TableOptions {
  /** At most this much of the table and its copyable block, as `measure` counts. */
  limit: number
  measure: Measure
  /** Where the entries that do not fit are, e.g. "the manifest (`/path`)". */
  rest: string
  /** Entries in all, when `results` is only the first of them. */
  total?: number
}

/**
 * The GFM table of entries shared by the job summary, PR comments and release notes, then a folded
 * block with each full Nid (and order ID) to copy. Rows are added while they fit `limit`; then a line
 * says how many more there are and where. Never builds a string longer than the limit.
 */
export function markdownTable(results: readonly EntryResult[], options: TableOptions): string {
  const { measure, limit } = options
  const total = options.total ?? results.length
  let orders = false
  let links = false
  for (const r of results) {
    orders ||= r.orderId !== undefined && r.orderId !== ''
    links ||= r.gatewayUrl !== undefined
  }
  const exact = sizesToShowExactly(results)
  const header = [
    `| Artifact | Size | ${links ? unbroken('Nid (gateway link)') : 'Nid'} |${orders ? ` ${unbroken('Order ID')} |` : ''} Status |`,
    `| --- | ---: | --- |${orders ? ' --- |' : ''} --- |`
  ].join('\n')
  const copyStart = `<details><summary>Full ${orders ? 'Nids and order IDs' : 'Nids'}, to copy</summary>\n\n<pre>\n`
  const copyEnd = '</pre>\n\n</details>'
  const moreLine = (n: number): string =>
    `\n\n_${formatCount(n)} more ${n === 1 ? 'entry' : 'entries'}: see ${options.rest}_`
  // Room kept for the block's frame and the "more" line, whatever the counts.
  let used = measure(header) + measure(copyStart) + measure(copyEnd) + measure(moreLine(total)) + 4
  const rows: string[] = []
  const copies: string[] = []
  for (const r of results) {
    const status = STATUS_LABEL[r.status]
    const row = `\n| ${escapeMarkdown(bounded(r.path ?? r.url ?? '', SHOWN.path))} | ${sizeCell(r.size, exact)} | ${nidCell(r)} |${orders ? ` ${orderCell(r.orderId)} |` : ''} ${status} |`
    const copy = copyLine(r, orders)
    const cost = measure(row) + (copy === undefined ? 0 : measure(copy) + 1)
    if (used + cost > limit) break
    used += cost
    rows.push(row)
    if (copy !== undefined) copies.push(copy)
  }
  const more = total - rows.length
  const block = copies.length > 0 ? `\n\n${copyStart}${copies.join('\n')}\n${copyEnd}` : ''
  return `${header}${rows.join('')}${more > 0 ? moreLine(more) : ''}${block}`
}

export interface SummaryOptions {
  pin: boolean
  manifestPath: string
  /** A line after the totals (the cost against the budget). */
  costLine?: string
  /** A section after the failures (what retention unpinned or plans to): bounded by its maker. */
  retention?: string
  /** UTF-8 bytes; GitHub drops a bigger summary whole. */
  limit?: number
}

/** The failures section: each failure's reason, up to a cap, then how many more. */
function failuresSection({ failures, totals }: ResultsDigest, rest: string): string {
  if (totals.failed === 0) return ''
  const items = failures
    .slice(0, SHOWN.summaryFailures)
    .map(r => `- ${escapeMarkdown(bounded(r.error ?? 'failed', SHOWN.error))}`)
  const more = totals.failed - items.length
  if (more > 0) items.push(`- _${formatCount(more)} more failures: see ${rest}_`)
  return `\n\n### Failures\n\n${items.join('\n')}`
}

/**
 * The job summary: heading, totals (and the cost against the budget), the table of entries (as many
 * as fit), each failure's reason, then what retention unpinned or plans to. Within `limit` UTF-8 bytes at any count; the manifest holds every entry.
 */
export function summaryMarkdown(digest: ResultsDigest, options: SummaryOptions): string {
  const rest = `the manifest (\`${options.manifestPath.replace(/`/g, '')}\`)`
  const head = `## Numbers Protocol: IPFS Nids and pins\n\n${totalsLine(digest.totals, options.pin)}\n\n${options.costLine ? `${options.costLine}\n\n` : ''}`
  const failures = failuresSection(digest, rest)
  const retention = options.retention ? `\n\n${options.retention.trimEnd()}` : ''
  const limit =
    (options.limit ?? LIMITS.summaryBytes) - utf8Bytes(head) - utf8Bytes(failures) - utf8Bytes(retention) - 1
  return `${head}${markdownTable(digest.head, { limit, measure: utf8Bytes, rest, total: digest.totals.count })}${failures}${retention}\n`
}
