import * as core from '@actions/core'
import * as github from '@actions/github'
import { promises as fs } from 'node:fs'
import { ACTION_VERSION, Inputs } from './constants.js'
import { discoverFiles, type LocalFile } from './discovery.js'
import { FileError, PreflightError, messageOf, redact } from './errors.js'
import { parseInputs, sendsToNumbers, uploadsFiles, type RunInputs } from './inputs.js'
import { carryForward, readPinnedIndex, writeManifest, type Provenance } from './manifest.js'
import { NumbersClient } from './numbers-client.js'
import { runPipeline, type Entry, type EntryResult, type PinnedIndex } from './pipeline.js'
import { buildOutputs, checksumsFile, formatBytes, renderSummary, totalsOf } from './report.js'
import { commentBody, octokitApi, updateReleaseNotes, upsertComment } from './github-publish.js'

function provenance(): Provenance {
  const { context } = github
  const repository = process.env.GITHUB_REPOSITORY ?? ''
  // Outside a runner (local runs) the run ID is missing: 0, and no run URL.
  const runId = context.runId || 0
  return {
    repository,
    sha: context.sha ?? '',
    ref: context.ref ?? '',
    workflow: context.workflow ?? '',
    runId,
    runAttempt: context.runAttempt || 0,
    runUrl: repository && runId ? `${context.serverUrl}/${repository}/actions/runs/${runId}` : '',
    event: context.eventName ?? '',
    actor: context.actor ?? ''
  }
}

/** Everything that can be refused is refused here, before the first (paid) request. */
async function preflight(inputs: RunInputs): Promise<{ files: LocalFile[]; previous?: PinnedIndex }> {
  const discovery =
    inputs.patterns.length > 0
      ? await discoverFiles({
          patterns: inputs.patterns,
          workspace: inputs.workspace,
          includeHiddenFiles: inputs.includeHiddenFiles
        })
      : { files: [], hiddenSkipped: 0, problems: [] }
  if (discovery.hiddenSkipped > 0) {
    core.info(
      `${discovery.hiddenSkipped} hidden file(s) matched but were skipped; set ${Inputs.IncludeHiddenFiles}: true to include them`
    )
  }
  const problems: Error[] = [...discovery.problems]
  // The service is designed for files up to 25 MB; files that stay local have no limit.
  if (uploadsFiles(inputs)) {
    for (const file of discovery.files.filter(f => f.size > inputs.maxFileSize)) {
      problems.push(
        new FileError(
          file.path,
          `is ${formatBytes(file.size)}, over ${Inputs.MaxFileSize} (${formatBytes(inputs.maxFileSize)}); exclude it with a '!' pattern or raise ${Inputs.MaxFileSize} if your plan allows larger files`
        )
      )
    }
  }
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new PreflightError(problems, `${problems.length} files cannot be used`)

  if (inputs.patterns.length > 0 && discovery.files.length === 0) {
    const message = `No files were found with the provided path: ${inputs.patterns.join(', ')}.`
    if (inputs.ifNoFilesFound === 'error') {
      throw new Error(`${message} Check the pattern, or set ${Inputs.IfNoFilesFound}: warn or ignore`)
    }
    if (inputs.ifNoFilesFound === 'warn') core.warning(`${message} No artifacts will be pinned.`)
    else core.info(`${message} No artifacts will be pinned.`)
  }
  // Read with pin: false too, so that the manifest written next still carries the earlier pins.
  const previous = inputs.previousManifest
    ? await readPinnedIndex(inputs.previousManifest, inputs.cidVersion)
    : undefined
  if (inputs.previousManifest && inputs.pin && previous === undefined) {
    core.notice(`No previous manifest at ${inputs.previousManifest} (first run?); every file will be pinned`)
  }
  return { files: discovery.files, previous }
}

/**
 * PR comment and release notes are extras: a missing permission (fork PRs get a read-only token)
 * or an event without a PR or release is a notice, never a failed step.
 */
async function publishToGitHub(inputs: RunInputs, results: EntryResult[], origin: Provenance): Promise<void> {
  if (!inputs.prComment && !inputs.releaseNotes) return
  const { context } = github
  const [owner, repo] = origin.repository.split('/')
  const attempt = async (what: string, action: () => Promise<string>): Promise<void> => {
    try {
      core.info(await action())
    } catch (error) {
      const status = (error as { status?: number }).status
      const hint =
        status === 403 || status === 404
          ? ' (the token may not write here: fork pull requests get a read-only token; see the README for the workflow_run pattern)'
          : ''
      core.notice(`Could not ${what}${status ? `: HTTP ${status}` : ''}${hint}. ${messageOf(error).split('\n')[0]}`)
    }
  }
  if (inputs.prComment) {
    const pr =
      context.payload.pull_request?.number ??
      (context.payload.issue?.pull_request ? context.payload.issue.number : undefined)
    if (!pr || !owner)
      core.notice(`pr-comment: this ${context.eventName || 'run'} event has no pull request; no comment written`)
    else
      await attempt(
        `comment on pull request #${pr}`,
        async () =>
          `Pull request #${pr}: comment ${await upsertComment(octokitApi(inputs.githubToken, owner, repo), pr, commentBody(results, origin.runUrl))}`
      )
  }
  if (inputs.releaseNotes) {
    const release = (context.payload.release as { id?: number } | undefined)?.id
    if (!release || !owner)
      core.notice(`release-notes: this ${context.eventName || 'run'} event has no release; release notes unchanged`)
    else
      await attempt(`update the release notes of release ${release}`, async () => {
        await updateReleaseNotes(octokitApi(inputs.githubToken, owner, repo), release, results)
        return `Release ${release}: notes updated with the pinned assets`
      })
  }
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  const origin = provenance()
  // Masked before anything else can print it.
  const rawToken = core.getInput(Inputs.CaptureToken)
  const secrets = [rawToken, rawToken.trim(), core.getInput(Inputs.GithubToken)].filter(s => s !== '')
  for (const secret of secrets) core.setSecret(secret)
  const clean = (text: string): string => redact(text, secrets)

  try {
    const inputs = parseInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP
    })
    const { files, previous } = await preflight(inputs)
    const entries: Entry[] = [
      ...files.map(file => ({ source: 'file' as const, file })),
      ...inputs.fileUrls.map(url => ({ source: 'url' as const, url }))
    ]

    const client = sendsToNumbers(inputs)
      ? new NumbersClient({
          token: inputs.captureToken,
          nidApiUrl: inputs.nidApiUrl,
          pinApiUrl: inputs.pinApiUrl,
          retries: inputs.retries,
          timeoutSeconds: inputs.timeoutSeconds,
          userAgent: `numbers-pin-action/${ACTION_VERSION}`,
          onRetry: (notice, upload) => {
            const what = upload.kind === 'file' ? upload.name : upload.url
            const retry = `${notice.endpoint} for ${what}: ${notice.reason}; attempt ${notice.attempt + 1} of ${inputs.retries + 1} in ${(notice.delayMs / 1000).toFixed(1)}s`
            if (notice.mayHaveSucceeded && notice.endpoint === 'Pin file to IPFS') {
              core.warning(
                `${retry}. The failed attempt may have been pinned already, so this file may be billed twice; check your Capture account's orders for ${what}`
              )
            } else {
              core.info(retry)
            }
          }
        })
      : undefined

    const settled: EntryResult[] = new Array(entries.length)
    /** Writes manifest, checksums, outputs and summary; returns the results as written (redacted). */
    const finish = async (results: EntryResult[], complete: boolean): Promise<EntryResult[]> => {
      const safe = JSON.parse(clean(JSON.stringify(results))) as EntryResult[]
      await writeManifest(inputs.manifestPath, {
        schema: 'numbers-pin-action/manifest@1',
        actionVersion: ACTION_VERSION,
        cidVersion: inputs.cidVersion,
        startedAt,
        finishedAt: new Date().toISOString(),
        complete,
        provenance: origin,
        results: safe,
        earlierPins: carryForward(previous, safe, inputs.cidVersion)
      })
      await fs.writeFile(inputs.checksumsPath, checksumsFile(safe))
      const outputs = buildOutputs(safe, { manifest: inputs.manifestPath, checksums: inputs.checksumsPath })
      for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
      // Runners always provide the summary file; local runs (local-action, scripts) may not.
      if (inputs.showSummary && process.env.GITHUB_STEP_SUMMARY) await renderSummary(core.summary, safe).write()
      return safe
    }

    // The runner cancels with SIGINT, then SIGTERM: keep what finished (paid order IDs) in the
    // manifest, and stay subscribed so the second signal cannot kill the process mid-write.
    const cancelled = new AbortController()
    const onSignal = (signal: NodeJS.Signals): void => {
      if (cancelled.signal.aborted) return
      cancelled.abort()
      const done = settled.filter(Boolean)
      core.error(
        `Cancelled (${signal}); ${done.length} of ${entries.length} entries had finished, recorded in ${inputs.manifestPath}`
      )
      void finish(done, false).finally(() => process.exit(1))
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)

    const results = await runPipeline(entries, {
      pin: inputs.pin,
      nidSource: inputs.nidSource,
      cidVersion: inputs.cidVersion,
      concurrency: inputs.concurrency,
      gatewayUrl: inputs.gatewayUrl,
      api: client,
      previous,
      log: { info: m => core.info(clean(m)), warning: m => core.warning(clean(m)), debug: m => core.debug(clean(m)) },
      onSettled: (index, result) => {
        settled[index] = result
        const shown = result.path ?? result.url
        core.info(
          clean(
            result.status === 'failed'
              ? `✗ ${result.error}`
              : `✓ ${shown}: ${result.nid} (${result.status}${result.orderId ? `, order ${result.orderId}` : ''})`
          )
        )
      },
      signal: cancelled.signal
    })
    await client?.close()
    if (cancelled.signal.aborted) return
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await publishToGitHub(inputs, await finish(results, true), origin)

    const totals = totalsOf(results)
    const failures = results.filter(r => r.status === 'failed')
    if (failures.length > 0) {
      core.setFailed(
        clean(
          `${failures.length} of ${totals.count} entries failed:\n${failures.map(f => `  - ${f.error}`).join('\n')}`
        )
      )
    }
  } catch (error) {
    core.setFailed(clean(messageOf(error)))
  }
}
