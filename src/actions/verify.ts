/**
 * The verify action: the story of a run. Reads the manifests, checks every pinned Nid at the gateway
 * trustlessly, and reports; the only place (with the other actions' entries) that touches
 * `@actions/core`.
 */
import * as core from '@actions/core'
import { mapLimit } from '../concurrency.js'
import { ACTION_VERSION, VerifyInputs } from '../constants.js'
import { messageOf } from '../errors.js'
import { gatewayAgent, verifyNid } from '../gateway/check.js'
import { parseVerifyInputs, type VerifyRunInputs } from '../inputs/verify.js'
import {
  boundedResults,
  problemLines,
  renderVerifySummary,
  totalsText,
  verifyOutputs,
  verifyTotals,
  writeVerifyReport,
  type NidResult
} from '../report/verify.js'
import { Redactor } from '../redact.js'
import { readManifests, type ManifestScan } from '../verify/manifests.js'
import { runLog, type RunLog } from './run-log.js'

function settledLine(r: NidResult): string {
  return r.status === 'verified'
    ? `✓ ${r.nid}: verified (${r.detail})`
    : `✗ ${r.nid}${r.artifact ? ` (${r.artifact})` : ''}: ${r.status}, ${r.detail}`
}

/** Every Nid checked at the gateway, each line logged as it settles; undefined for a Nid not started. */
async function verifyAll(
  scan: ManifestScan,
  inputs: VerifyRunInputs,
  { log, info }: Pick<RunLog, 'log' | 'info'>
): Promise<NidResult[]> {
  const agent = gatewayAgent(inputs.timeoutSeconds)
  let saidRawIgnored = false
  const settled = await mapLimit(scan.nids, inputs.concurrency, async pinned => {
    const verification = await verifyNid(pinned.nid, inputs.gatewayUrl, inputs.depth, {
      retries: inputs.retries,
      timeoutSeconds: inputs.timeoutSeconds,
      dispatcher: agent,
      userAgent: `numbers-pin-action/${ACTION_VERSION}`,
      onRetry: (nid, { attempt, delayMs, fault }) =>
        info(
          `${nid}: ${fault.reason}; attempt ${attempt + 1} of ${inputs.retries + 1} in ${(delayMs / 1000).toFixed(1)}s`
        ),
      onRawIgnored: type => {
        if (saidRawIgnored) return
        saidRawIgnored = true
        log.warning(
          `${inputs.gatewayUrl} ignores format=raw (it answered ${type}): each Nid gets the full check from that answer instead, which downloads whole files`
        )
      }
    })
    const result: NidResult = { ...pinned, ...verification }
    info(settledLine(result))
    return result
  })
  await agent.close()
  return settled.filter((r): r is NidResult => r !== undefined)
}

/** The report file, the step outputs (within GitHub's limit) and the job summary. */
async function report(
  results: NidResult[],
  scan: ManifestScan,
  inputs: VerifyRunInputs,
  startedAt: string,
  log: RunLog['log']
): Promise<void> {
  await writeVerifyReport(inputs.reportPath, {
    gatewayUrl: inputs.gatewayUrl,
    depth: inputs.depth,
    startedAt,
    manifests: scan.manifests,
    skippedEntries: scan.skipped.reduce((sum, s) => sum + s.count, 0),
    results
  })
  for (const [name, value] of Object.entries(verifyOutputs(results, inputs.reportPath))) core.setOutput(name, value)
  const { shown } = boundedResults(results)
  if (shown < results.length) {
    log.notice(
      `The results output lists ${shown} of ${results.length} Nids (problems first) to stay within GitHub's output limit; all are in ${inputs.reportPath}`
    )
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    await renderVerifySummary(core.summary, results, inputs).write()
  }
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  const { log, info, error, close } = runLog(new Redactor())
  try {
    const inputs = parseVerifyInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP,
      step: process.env.GITHUB_ACTION
    })
    const scan = await readManifests(inputs.manifestPatterns, inputs.workspace)
    for (const { manifest, count, firstReason } of scan.skipped) {
      log.warning(`${manifest}: ${count} ${count === 1 ? 'entry' : 'entries'} skipped, not checked (${firstReason})`)
    }
    if (scan.nids.length === 0) log.warning(`No pinned Nid in ${scan.manifests.join(', ')}: nothing to verify`)
    info(
      `Verifying ${scan.nids.length} pinned Nids from ${scan.manifests.length} manifests at ${inputs.gatewayUrl} (depth: ${inputs.depth})`
    )
    const results = await verifyAll(scan, inputs, { log, info })
    await report(results, scan, inputs, startedAt, log)

    const totals = verifyTotals(results)
    const unproven = totals.missing + totals.corrupt + totals.error
    info(totalsText(totals))
    const warnOnly = inputs.ifMissing === 'warn'
    for (const line of problemLines(results)) (warnOnly ? log.warning : error)(line)
    close(
      unproven > 0 && !warnOnly
        ? `${unproven} of ${results.length} pinned Nids are not proven (${totals.missing} missing, ${totals.corrupt} corrupt, ${totals.error} error); see the job summary and ${inputs.reportPath}. Set ${VerifyInputs.IfMissing}: warn to report without failing`
        : undefined
    )
  } catch (failure) {
    close(messageOf(failure))
  }
}
