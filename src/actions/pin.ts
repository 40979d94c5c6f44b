/**
 * The pin action: the story of a run. Every step is one call into the module that owns it; this is
 * the only place (with the other actions' entries) that touches `@actions/core`.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import { cancelOnSignals } from '../cancellation.js'
import { ACTION_VERSION, Inputs } from '../constants.js'
import { messageOf, redact } from '../errors.js'
import { publishToGitHub } from '../github-publish.js'
import { parseInputs, sendsToNumbers } from '../inputs/pin.js'
import { provenanceOf } from '../manifest.js'
import { NumbersClient } from '../numbers/client.js'
import { preflight } from '../preflight.js'
import { runPipeline } from '../pipeline/run.js'
import { selectShard } from '../shard.js'
import type { Entry } from '../pipeline/types.js'
import { failureMessage } from '../report/failures.js'
import { writeResults } from '../report/write.js'
import type { EntryResult, Logger } from '../types.js'

/** One log line per settled entry. */
function settledLine(result: EntryResult): string {
  if (result.status === 'failed') return `✗ ${result.error}`
  const order = result.orderId ? `, order ${result.orderId}` : ''
  return `✓ ${result.path ?? result.url}: ${result.nid} (${result.status}${order})`
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  // Masked before anything else can print it.
  const rawToken = core.getInput(Inputs.CaptureToken)
  const secrets = [rawToken, rawToken.trim(), core.getInput(Inputs.GithubToken)].filter(s => s !== '')
  for (const secret of secrets) core.setSecret(secret)
  const clean = (text: string): string => redact(text, secrets)
  const log: Logger = {
    debug: m => core.debug(clean(m)),
    info: m => core.info(clean(m)),
    notice: m => core.notice(clean(m)),
    warning: m => core.warning(clean(m))
  }

  try {
    const inputs = parseInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP
    })
    const { files: matched, previous } = await preflight(inputs, log)
    const { files, urls, record: sharding } = selectShard(matched, inputs.fileUrls, inputs.shard, log)
    const entries: Entry[] = [
      ...files.map(file => ({ source: 'file' as const, file })),
      ...urls.map(url => ({ source: 'url' as const, url }))
    ]

    const settled: EntryResult[] = new Array(entries.length)
    /** Writes manifest, checksums, outputs and summary; returns the results as written (redacted). */
    const finish = async (results: EntryResult[], complete: boolean): Promise<EntryResult[]> => {
      const safe = JSON.parse(clean(JSON.stringify(results))) as EntryResult[]
      const summary = inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      await writeResults(
        safe,
        complete,
        { ...inputs, startedAt, provenance: origin, previous, sharding },
        { setOutput: core.setOutput, summary }
      )
      return safe
    }
    const cancellation = cancelOnSignals(signal => {
      const done = settled.filter(Boolean)
      core.error(
        `Cancelled (${signal}); ${done.length} of ${entries.length} entries had finished, recorded in ${inputs.manifestPath}`
      )
      void finish(done, false).finally(() => process.exit(1))
    })

    const client = sendsToNumbers(inputs)
      ? new NumbersClient({
          token: inputs.captureToken,
          nidApiUrl: inputs.nidApiUrl,
          pinApiUrl: inputs.pinApiUrl,
          retries: inputs.retries,
          timeoutSeconds: inputs.timeoutSeconds,
          userAgent: `numbers-pin-action/${ACTION_VERSION}`,
          log
        })
      : undefined
    const results = await runPipeline(entries, {
      ...inputs,
      api: client,
      previous,
      log,
      onSettled: (index, result) => {
        settled[index] = result
        log.info(settledLine(result))
      },
      signal: cancellation.signal
    })
    await client?.close()
    if (cancellation.signal.aborted) return
    cancellation.dispose()
    const written = await finish(results, true)
    await publishToGitHub({ ...inputs, ...origin }, written, github.context, log)

    const failed = failureMessage(results)
    if (failed) core.setFailed(clean(failed))
  } catch (error) {
    core.setFailed(clean(messageOf(error)))
  }
}
