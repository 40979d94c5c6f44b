/**
 * The merge sub-action (merge/action.yml): the shard manifests of one sharded run, checked and merged
 * into one manifest, one summary and the pin action's outputs, as if one job had done all the work.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { Inputs, MergeInputs } from '../constants.js'
import { discoverFiles } from '../discovery.js'
import { InputError, messageOf, PreflightError, redact } from '../errors.js'
import { publishToGitHub } from '../github-publish.js'
import { parseMergeInputs } from '../inputs/merge.js'
import { provenanceOf } from '../manifest.js'
import { mergeShards } from '../merge/combine.js'
import { readShardManifest } from '../merge/read.js'
import { failureMessage } from '../report/failures.js'
import { writeResults } from '../report/write.js'
import { MAX_SHARDS } from '../shard.js'
import type { Logger } from '../types.js'

export async function run(): Promise<void> {
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  const token = core.getInput(Inputs.GithubToken)
  if (token) core.setSecret(token)
  const clean = (text: string): string => redact(text, token ? [token] : [])
  const log: Logger = {
    debug: m => core.debug(clean(m)),
    info: m => core.info(clean(m)),
    notice: m => core.notice(clean(m)),
    warning: m => core.warning(clean(m))
  }

  try {
    const inputs = parseMergeInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP
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

    const results = JSON.parse(clean(JSON.stringify(merged.results))) as typeof merged.results
    await writeResults(
      results,
      merged.complete,
      {
        ...inputs,
        cidVersion: merged.cidVersion,
        startedAt: merged.startedAt,
        provenance: origin,
        previous: merged.earlier,
        sharding: merged.sharding
      },
      {
        setOutput: core.setOutput,
        summary: inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      }
    )
    await publishToGitHub({ ...inputs, ...origin }, results, github.context, log)

    const problems = [
      ...merged.incomplete.map(s => `Shard ${s} was cancelled before every entry settled; run its job again`),
      failureMessage(results)
    ].filter(p => p !== undefined)
    if (problems.length > 0) core.setFailed(clean(problems.join('\n')))
  } catch (error) {
    core.setFailed(clean(messageOf(error)))
  }
}
