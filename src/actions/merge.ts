/**
 * The merge sub-action (merge/action.yml): the shard manifests of one sharded run, checked and merged
 * into one manifest, one summary and the pin action's outputs, as if one job had done all the work.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { Inputs, MergeInputs } from '../constants.js'
import { discoverFiles } from '../discovery.js'
import { InputError, messageOf, PreflightError } from '../errors.js'
import { publishToGitHub } from '../github-publish.js'
import { parseMergeInputs } from '../inputs/merge.js'
import { provenanceOf } from '../manifest.js'
import { mergeShards } from '../merge/combine.js'
import { readShardManifest } from '../merge/read.js'
import { Redactor } from '../redact.js'
import { failureMessage } from '../report/log-lines.js'
import { writeResults } from '../report/write.js'
import { MAX_SHARDS } from '../shard.js'
import { keepSecret, runLog } from './run-log.js'

export async function run(): Promise<void> {
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  const redactor = new Redactor()
  keepSecret(redactor, core.getInput(Inputs.GithubToken).trim())
  const { log, close } = runLog(redactor)

  try {
    const inputs = parseMergeInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP,
      step: process.env.GITHUB_ACTION
    })
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
    const shards = await Promise.all(found.files.map(f => readShardManifest(f.absolutePath, f.path)))
    const merged = mergeShards(shards, inputs.gatewayUrl)
    log.info(
      `Merged ${shards.length} shards: ${merged.results.length} entries of set ${merged.sharding.fingerprint.sha256.slice(0, 12)}`
    )

    const results = merged.results.map(result => redactor.value(result))
    await writeResults(
      results,
      merged.complete,
      {
        ...inputs,
        // Shards that only computed Nids (pin: false) merge into a report of Nids.
        pin: results.some(r => r.status !== 'nid-only'),
        cidVersion: merged.cidVersion,
        startedAt: merged.startedAt,
        provenance: origin,
        previous: merged.earlier,
        sharding: merged.sharding
      },
      {
        setOutput: core.setOutput,
        warning: log.warning,
        notice: log.notice,
        summary: inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      }
    )
    await publishToGitHub({ ...inputs, ...origin }, results, github.context, log)

    const failures = results.filter(r => r.status === 'failed')
    const problems = [
      ...merged.incomplete.map(s => `Shard ${s} was cancelled before every entry settled; run its job again`),
      ...(failures.length > 0 ? [failureMessage(failures, results.length, inputs.manifestPath)] : [])
    ]
    close(problems.length > 0 ? problems.join('\n') : undefined)
  } catch (error) {
    close(messageOf(error))
  }
}
