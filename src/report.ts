import type * as core from '@actions/core'
import { Outputs, PIN_MONTHLY_COST_NUM } from './constants.js'
import type { EntryResult } from './pipeline.js'

type Summary = typeof core.summary

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
    [Outputs.OrderId]: only?.orderId ?? '',
    [Outputs.Count]: String(totals.count),
    [Outputs.PinnedCount]: String(totals.pinned + totals.alreadyPinned),
    [Outputs.FailedCount]: String(totals.failed),
    [Outputs.Manifest]: files.manifest,
    [Outputs.Checksums]: files.checksums
  }
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = -1
  const shown = (v: number): string => v.toFixed(v < 10 ? 2 : 1)
  do {
    value /= 1024
    unit++
    // Judged after rounding, so 1048575 B reads 1.00 MiB, not 1024.0 KiB.
  } while (Number(shown(value)) >= 1024 && unit < units.length - 1)
  return `${shown(value)} ${units[unit]}`
}

/** Escapes text for a GFM table cell: Markdown punctuation, HTML, and the cell's own pipes. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, '\\$&')
    .replace(/\r?\n/g, ' ')
}

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

/** `sha256sum` format (two spaces), the input actions/attest's `subject-checksums` takes. */
export function checksumsFile(results: readonly EntryResult[]): string {
  return results
    .filter(r => r.source === 'file' && r.sha256 && r.path)
    .map(r => `${r.sha256}  ${r.path}\n`)
    .join('')
}
