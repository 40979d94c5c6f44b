/**
 * The merge sub-action (merge/action.yml): the shard manifests of one sharded run, checked and merged
 * into one manifest, one summary and the pin action's outputs, as if one job had done all the work.
 */
import * as core from '@actions/core'
import * as github from '../github-context.js'
import { budgetRefusal, CostMeter, estimateCost, metered } from '../budget.js'
import { ACTION_VERSION, DEFAULT_NID_API_URL, DEFAULT_PIN_API_URL, Inputs, MergeInputs } from '../constants.js'
import { discoverFiles } from '../discovery.js'
import { InputError, messageOf, PreflightError } from '../errors.js'
import { publishToGitHub } from '../github-publish.js'
import { parseMergeInputs, type MergeRunInputs } from '../inputs/merge.js'
import { LIMITS } from '../inputs/pin.js'
import { provenanceOf } from '../manifest.js'
import { mergeShards, type Merged } from '../merge/combine.js'
import { readShardManifest, type ShardFile } from '../merge/read.js'
import { NumbersClient } from '../numbers/client.js'
import { Redactor } from '../redact.js'
import { failureMessage } from '../report/log-lines.js'
import { logRetention } from '../report/retention.js'
import { writeResults } from '../report/write.js'
import { absentPins, retain, type RetentionReport } from '../retention.js'
import { resultSetOf } from '../result-spool.js'
import { MAX_SHARDS } from '../shard.js'
import type { EntryResult, Logger } from '../types.js'
import { keepSecret, runLog } from './run-log.js'

/** The shard manifests the patterns match: every one found, at most one per shard, each read and checked. */
async function readShards(inputs: MergeRunInputs): Promise<ShardFile[]> {
  const found = await discoverFiles({
    patterns: inputs.patterns,
    workspace: inputs.workspace,
    includeHiddenFiles: true
  })
  if (found.problems.length > 0) throw new PreflightError(found.problems, 'Shard manifests cannot be used')
  if (found.files.length === 0) {
    throw new InputError(
      MergeInputs.Manifests,
      `matched no file (${inputs.patterns.join(', ')}); download the shards' manifests first (actions/download-artifact with pattern:) and check the path`
    )
  }
  if (found.files.length > MAX_SHARDS) {
    throw new InputError(
      MergeInputs.Manifests,
      `matched ${found.files.length} files, more than ${MAX_SHARDS} shards can have; narrow the pattern`
    )
  }
  return Promise.all(found.files.map(f => readShardManifest(f.absolutePath, f.path)))
}

/** The budget's refusal of the unpins retention would make, or undefined when they are within it. */
function unpinsOverBudget(inputs: MergeRunInputs, merged: Merged, results: EntryResult[]): string | undefined {
  const unpins =
    inputs.unpinAbsent === 'true'
      ? absentPins(
          merged.earlier,
          results.map(r => r.nid)
        ).length
      : 0
  return budgetRefusal(
    estimateCost({
      pin: false,
      nidSource: 'local',
      files: [],
      urls: [],
      unpins: unpins <= inputs.unpinMax ? unpins : 0
    }),
    inputs.maxMonthlyCost
  )
}

/**
 * Retention over the whole set: the merge sees every shard's entries, so earlier pins none of them
 * holds may be unpinned, by the same rules as one job. Over budget, nothing is unpinned (the
 * refusal is returned for the run to fail with, after the merged manifest is written).
 */
async function retainMerged(
  inputs: MergeRunInputs,
  merged: Merged,
  results: EntryResult[],
  meter: CostMeter,
  log: Logger
): Promise<{ retention: RetentionReport; overBudget?: string }> {
  const overBudget = unpinsOverBudget(inputs, merged, results)
  const client =
    inputs.unpinAbsent === 'true' && !overBudget
      ? new NumbersClient({
          token: inputs.captureToken,
          nidApiUrl: DEFAULT_NID_API_URL,
          pinApiUrl: DEFAULT_PIN_API_URL,
          unpinApiUrl: inputs.unpinApiUrl,
          retries: LIMITS[Inputs.Retries].fallback,
          timeoutSeconds: LIMITS[Inputs.Timeout].fallback,
          userAgent: `numbers-pin-action/${ACTION_VERSION}`,
          log
        })
      : undefined
  const retention = await retain({
    ...inputs,
    unpinAbsent: overBudget ? 'plan' : inputs.unpinAbsent,
    cidVersion: merged.cidVersion,
    concurrency: LIMITS[Inputs.Concurrency].fallback,
    previous: merged.earlier,
    results,
    unfinished: merged.incomplete.length,
    foundNothing: results.length === 0,
    unpin: client && metered(client, meter).unpin
  })
  await client?.close()
  return { retention, overBudget }
}

export async function run(): Promise<void> {
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  const redactor = new Redactor()
  for (const input of [Inputs.CaptureToken, Inputs.GithubToken]) keepSecret(redactor, core.getInput(input).trim())
  const { log, close } = runLog(redactor)

  try {
    const inputs = parseMergeInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP,
      step: process.env.GITHUB_ACTION
    })
    const shards = await readShards(inputs)
    const merged = mergeShards(shards, inputs.gatewayUrl)
    log.info(
      `Merged ${shards.length} shards: ${merged.results.length} entries of set ${merged.sharding.fingerprint.sha256.slice(0, 12)}`
    )

    const results = merged.results.map(result => redactor.value(result))
    const meter = new CostMeter(inputs.maxMonthlyCost)
    // Over budget, the merge still writes the merged manifest (the next run's ledger); it unpins nothing and fails.
    const { retention, overBudget } = await retainMerged(inputs, merged, results, meter, log)
    const digest = await writeResults(
      resultSetOf(results),
      merged.complete,
      {
        ...inputs,
        // Shards that only computed Nids (pin: false) merge into a report of Nids.
        pin: results.some(r => r.status !== 'nid-only'),
        cidVersion: merged.cidVersion,
        startedAt: merged.startedAt,
        provenance: origin,
        previous: merged.earlier,
        sharding: merged.sharding,
        retention,
        cost: meter.spent()
      },
      {
        setOutput: core.setOutput,
        warning: log.warning,
        notice: log.notice,
        summary: inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      }
    )
    await publishToGitHub({ ...inputs, ...origin }, digest, github.context, log)

    const problems = [
      ...merged.incomplete.map(s => `Shard ${s} was cancelled before every entry settled; run its job again`),
      ...(digest.totals.failed > 0 ? [failureMessage(digest, inputs.manifestPath)] : []),
      ...logRetention(retention, log),
      ...(overBudget ? [new InputError(Inputs.MaxMonthlyCost, overBudget).message] : [])
    ]
    close(problems.length > 0 ? problems.join('\n') : undefined)
  } catch (error) {
    close(messageOf(error))
  }
}
