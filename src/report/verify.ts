/**
 * The verify action's report: outputs, job summary, annotations and the report file, each within
 * GitHub's limits (an output well under 1 MB, a step summary under 1 MiB, 10 annotations of a kind
 * per step) and each saying where the rest is.
 */
import type * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { ACTION_VERSION, VerifyOutputs } from '../constants.js'
import type { Depth, Proof, VerifyStatus } from '../gateway/check.js'
import type { PinnedNid } from '../verify/manifests.js'
import { escapeMarkdown } from './format.js'

export interface NidResult extends PinnedNid {
  status: VerifyStatus
  detail: string
  proof?: Proof
}

export type VerifyTotals = Record<VerifyStatus, number>

/** The `results` output stays under this (GitHub allows 1 MB per output; others share the file). */
export const MAX_RESULTS_OUTPUT_BYTES = 500_000
/** The step summary stays under this (GitHub refuses a step summary over 1 MiB). */
export const MAX_SUMMARY_BYTES = 900 * 1024

const ORDER: Record<VerifyStatus, number> = { corrupt: 0, missing: 1, error: 2, verified: 3 }

export function verifyTotals(results: readonly NidResult[]): VerifyTotals {
  const totals: VerifyTotals = { verified: 0, missing: 0, corrupt: 0, error: 0 }
  for (const r of results) totals[r.status]++
  return totals
}

/** Problems first (corrupt, missing, error), each kind in the order found. */
export function problemsFirst(results: readonly NidResult[]): NidResult[] {
  return results
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => ORDER[a.status] - ORDER[b.status] || i - j)
    .map(([r]) => r)
}

/** As many results as fit in `maxBytes` of JSON, problems first; `shown` says how many. */
export function boundedResults(
  results: readonly NidResult[],
  maxBytes = MAX_RESULTS_OUTPUT_BYTES
): { json: string; shown: number } {
  const parts: string[] = []
  let bytes = 2
  for (const result of problemsFirst(results)) {
    const part = JSON.stringify(result)
    bytes += Buffer.byteLength(part) + 1
    if (bytes > maxBytes) break
    parts.push(part)
  }
  return { json: `[${parts.join(',')}]`, shown: parts.length }
}

export function verifyOutputs(results: readonly NidResult[], reportPath: string): Record<VerifyOutputs, string> {
  const totals = verifyTotals(results)
  return {
    [VerifyOutputs.VerifiedCount]: String(totals.verified),
    [VerifyOutputs.MissingCount]: String(totals.missing),
    [VerifyOutputs.CorruptCount]: String(totals.corrupt),
    [VerifyOutputs.ErrorCount]: String(totals.error),
    [VerifyOutputs.Results]: boundedResults(results).json,
    [VerifyOutputs.Report]: reportPath
  }
}

export function totalsText(totals: VerifyTotals): string {
  const count = totals.verified + totals.missing + totals.corrupt + totals.error
  return `${count} pinned ${count === 1 ? 'Nid' : 'Nids'} · ${totals.verified} verified · ${totals.missing} missing · ${totals.corrupt} corrupt · ${totals.error} error`
}

const STATUS_LABEL: Record<VerifyStatus, string> = {
  verified: '✅ verified',
  missing: '❓ missing',
  corrupt: '❌ corrupt',
  error: '⚠️ error'
}

/** The job summary: totals, then a table, problems first, cut to fit with a line saying so. */
export function renderVerifySummary(
  summary: typeof core.summary,
  results: readonly NidResult[],
  context: { gatewayUrl: string; depth: Depth; reportPath: string },
  maxBytes = MAX_SUMMARY_BYTES
): typeof core.summary {
  const head = [
    `${totalsText(verifyTotals(results))} — depth \`${context.depth}\`, gateway ${escapeMarkdown(context.gatewayUrl)}`,
    '',
    '| Nid | Artifact | Status | Detail |',
    '| --- | --- | --- | --- |'
  ]
  const rows: string[] = []
  let bytes = Buffer.byteLength(head.join('\n')) + 1024
  for (const r of problemsFirst(results)) {
    const row = `| [\`${r.nid}\`](${context.gatewayUrl}${r.nid}) | ${escapeMarkdown(r.artifact ?? '—')} | ${STATUS_LABEL[r.status]} | ${escapeMarkdown(r.detail)} |`
    bytes += Buffer.byteLength(row) + 1
    if (bytes > maxBytes) break
    rows.push(row)
  }
  summary
    .addHeading('Numbers Protocol: are the pinned Nids still there?', 2)
    .addEOL()
    .addRaw(head.concat(rows).join('\n'), true)
  if (rows.length < results.length) {
    summary
      .addEOL()
      .addRaw(
        `${results.length - rows.length} more ${results.length - rows.length === 1 ? 'Nid is' : 'Nids are'} not shown here; every result is in the report file (${escapeMarkdown(context.reportPath)}).`,
        true
      )
  }
  return summary
}

/** One line per Nid not proven, problems first; the run log caps them as annotations (report/annotations.ts). */
export function problemLines(results: readonly NidResult[]): string[] {
  return problemsFirst(results)
    .filter(r => r.status !== 'verified')
    .map(r => `${r.nid}${r.artifact ? ` (${r.artifact})` : ''} is ${r.status}: ${r.detail}`)
}

export interface VerifyReport {
  schema: 'numbers-pin-action/verify-report@1'
  actionVersion: string
  gatewayUrl: string
  depth: Depth
  startedAt: string
  finishedAt: string
  manifests: string[]
  /** Manifest entries that failed validation and were not checked. */
  skippedEntries: number
  totals: VerifyTotals
  results: NidResult[]
}

export async function writeVerifyReport(
  file: string,
  fields: Omit<VerifyReport, 'schema' | 'actionVersion' | 'finishedAt' | 'totals'>
): Promise<void> {
  const report: VerifyReport = {
    schema: 'numbers-pin-action/verify-report@1',
    actionVersion: ACTION_VERSION,
    ...fields,
    finishedAt: new Date().toISOString(),
    totals: verifyTotals(fields.results),
    results: problemsFirst(fields.results)
  }
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`)
}
