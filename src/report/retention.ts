/** What a run unpinned, or plans to, and what it spent against its budget: the summary's sections and the log's lines. */
import type { Cost } from '../budget.js'
import { describeCost } from '../budget.js'
import { Inputs } from '../constants.js'
import type { RetentionReport } from '../retention.js'
import type { Logger } from '../types.js'
import { bounded, escapeMarkdown, formatCount } from './format.js'
import { SHOWN } from './limits.js'

/** Rows of the unpin table in the summary; the `unpinned` output and the manifest have every Nid. */
export const UNPIN_ROWS = 100

const cell = (text: string, max: number): string => escapeMarkdown(bounded(text, max))

/** The summary's retention section: heading, what was unpinned or planned and its saving, a table, why not. */
export function retentionSection(report: RetentionReport | undefined): string {
  if (!report || report.mode === 'false') return ''
  const plan = report.mode === 'plan'
  const heading = plan
    ? `### Unpin plan (\`${Inputs.UnpinAbsent}: plan\`): nothing was unpinned`
    : `### Unpinned: earlier pins no longer in the set`
  const count = `${formatCount(report.listed.length)} ${report.listed.length === 1 ? 'Nid' : 'Nids'}`
  const lines = [
    heading,
    '',
    `${count} ${plan ? 'would be unpinned' : 'unpinned'} · ~${report.monthlySaving} NUM per month no longer paid`
  ]
  for (const why of [report.held, report.overLimit]) if (why) lines.push('', `> ⚠️ ${escapeMarkdown(why)}`)
  if (report.listed.length > 0) {
    lines.push('', '| Nid | Order ID | Last seen as |', '| --- | --- | --- |')
    for (const pin of report.listed.slice(0, UNPIN_ROWS)) {
      const paths = pin.paths.length > 0 ? pin.paths.map(p => cell(p, SHOWN.path)).join('<br>') : '—'
      lines.push(
        `| \`${cell(pin.nid, SHOWN.nid)}\` | ${pin.orderId ? cell(pin.orderId, SHOWN.orderId) : '—'} | ${paths} |`
      )
    }
    const more = report.listed.length - UNPIN_ROWS
    if (more > 0)
      lines.push('', `_${formatCount(more)} more: see the \`unpinned\` output${plan ? '' : ' and the manifest'}_`)
  }
  const failed = report.failed.slice(0, SHOWN.summaryFailures).map(f => `- ${cell(f, SHOWN.error)}`)
  if (report.failed.length > failed.length)
    failed.push(`- _${formatCount(report.failed.length - failed.length)} more: see the log_`)
  if (failed.length > 0) lines.push('', `Unpins that failed (kept in the ledger, tried again next run):`, '', ...failed)
  return `${lines.join('\n')}\n\n`
}

/** The run's cost against `max-monthly-cost`, for the summary and the log. */
export function budgetLine(spent: Cost, max: number): string {
  return `Cost of this run: ${describeCost(spent)} of the budget (${Inputs.MaxMonthlyCost}) of ${max} NUM`
}

/** The log's line for what retention did; undefined when it did nothing worth a line. */
function retentionLine(report: RetentionReport): string | undefined {
  if (report.mode === 'false' || report.held || (report.overLimit && report.mode === 'true')) return undefined
  const what = report.listed.map(p => p.nid).join(', ')
  if (report.mode === 'plan')
    return `${Inputs.UnpinAbsent}: plan: ${formatCount(report.listed.length)} earlier pins are absent and would be unpinned (~${report.monthlySaving} NUM per month)${what ? `: ${what}` : ''}`
  return `Unpinned ${formatCount(report.unpinned.length)} earlier pins absent from this run (~${report.monthlySaving} NUM per month no longer paid)${what ? `: ${what}` : ''}`
}

/**
 * Logs what retention did: a warning for an interlock that held or a plan over unpin-max, a line for
 * what was unpinned or planned and one per failed unpin. Returns what fails the step.
 */
export function logRetention(report: RetentionReport, log: Pick<Logger, 'info' | 'warning'>): string[] {
  const warnings = report.held ? [report.held] : []
  const failures: string[] = []
  if (report.overLimit) (report.mode === 'plan' ? warnings : failures).push(report.overLimit)
  for (const warning of warnings) log.warning(warning)
  const line = retentionLine(report)
  if (line) log.info(line)
  for (const failed of report.failed) log.info(`✗ ${failed}`)
  if (report.failed.length > 0) {
    const listed = report.failed.slice(0, SHOWN.messageFailures).map(f => `  - ${bounded(f, SHOWN.error)}`)
    const more = report.failed.length - listed.length
    if (more > 0) listed.push(`  … and ${formatCount(more)} more: see the log`)
    failures.push(
      `${formatCount(report.failed.length)} ${report.failed.length === 1 ? 'unpin' : 'unpins'} failed:\n${listed.join('\n')}`
    )
  }
  return failures
}
