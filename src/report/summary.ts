import type * as core from '@actions/core'
import type { EntryResult } from '../types.js'
import { escapeMarkdown, formatBytes } from './format.js'
import { totalsOf, type Totals } from './totals.js'

type Summary = typeof core.summary

export function totalsLine(totals: Totals): string {
  const parts = [
    `${totals.count} ${totals.count === 1 ? 'entry' : 'entries'}`,
    `${totals.pinned} pinned now`,
    `${totals.alreadyPinned} already pinned`
  ]
  if (totals.nidOnly) parts.push(`${totals.nidOnly} Nid only`)
  parts.push(`${totals.failed} failed`)
  return `${parts.join(' · ')} — estimated cost of new pins: ~${totals.estimatedMonthlyCost} NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)`
}

const STATUS_LABEL: Record<EntryResult['status'], string> = {
  pinned: '📌 pinned',
  'already-pinned': '✅ already pinned',
  'nid-only': '🔖 Nid only',
  failed: '❌ failed'
}

/** The GFM table of entries shared by the job summary, PR comments and release notes. */
export function markdownTable(results: readonly EntryResult[]): string {
  const rows = results.map(r => {
    const nid = r.nid ? (r.gatewayUrl ? `[\`${r.nid}\`](${r.gatewayUrl})` : `\`${r.nid}\``) : '—'
    const orderId = r.orderId ? escapeMarkdown(r.orderId) : '—'
    return `| ${escapeMarkdown(r.path ?? r.url ?? '')} | ${formatBytes(r.size)} | ${nid} | ${orderId} | ${STATUS_LABEL[r.status]} |`
  })
  return [
    '| Artifact | Size | Nid (gateway link) | Order ID | Status |',
    '| --- | ---: | --- | --- | --- |',
    ...rows
  ].join('\n')
}

/** Adds the job summary: heading, totals, the table of entries, then each failure's reason. */
export function renderSummary(summary: Summary, results: readonly EntryResult[]): Summary {
  summary
    .addHeading('Numbers Protocol: IPFS Nids and pins', 2)
    // Blank lines end the heading's HTML block, so GFM renders what follows as Markdown.
    .addEOL()
    .addRaw(totalsLine(totalsOf(results)), true)
    .addEOL()
    .addRaw(markdownTable(results), true)
    .addEOL()
  const failures = results.filter(r => r.status === 'failed')
  if (failures.length > 0) {
    summary
      .addHeading('Failures', 3)
      .addEOL()
      .addRaw(failures.map(r => `- ${escapeMarkdown(r.error ?? 'failed')}`).join('\n'), true)
  }
  return summary
}
