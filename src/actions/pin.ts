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
import type { Entry } from '../pipeline/types.js'
import { AnnotationBudget } from '../report/annotations.js'
import { closingLine, failureMessage, openingLine } from '../report/log-lines.js'
import { countingPins, RunProgress, tickEvery } from '../report/progress.js'
import { totalsOf } from '../report/totals.js'
import { writeResults } from '../report/write.js'
import type { EntryResult, Logger } from '../types.js'

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  // Masked before anything else can print it.
  const rawToken = core.getInput(Inputs.CaptureToken)
  const secrets = [...new Set([rawToken, rawToken.trim(), core.getInput(Inputs.GithubToken)])].filter(s => s !== '')
  for (const secret of secrets) core.setSecret(secret)
  const clean = (text: string): string => redact(text, secrets)
  // At most 10 annotations of each kind: the last says how many more the log holds.
  const annotations = new AnnotationBudget({ annotate: (kind, m) => core[kind](m), info: core.info })
  const fail = (message: string): void => {
    annotations.close(clean(message))
    process.exitCode = core.ExitCode.Failure
  }
  const log: Logger = {
    debug: m => core.debug(clean(m)),
    info: m => core.info(clean(m)),
    notice: m => annotations.add('notice', clean(m)),
    warning: m => annotations.add('warning', clean(m))
  }

  try {
    const inputs = parseInputs(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      runnerTemp: process.env.RUNNER_TEMP
    })
    const { files, previous } = await preflight(inputs, log)
    const entries: Entry[] = [
      ...files.map(file => ({ source: 'file' as const, file })),
      ...inputs.fileUrls.map(url => ({ source: 'url' as const, url }))
    ]

    const bytes = files.reduce((sum, f) => sum + f.size, 0)
    log.info(openingLine({ ...inputs, files: files.length, bytes, urls: inputs.fileUrls.length }))
    const progress = new RunProgress({
      total: entries.length,
      totalBytes: bytes,
      now: () => performance.now(),
      log: { info: m => core.info(clean(m)), startGroup: core.startGroup, endGroup: core.endGroup }
    })
    const stopTicking = tickEvery(progress)

    const settled: EntryResult[] = new Array(entries.length)
    /** Writes manifest, checksums, outputs and summary; returns the results as written (redacted). */
    const finish = async (results: EntryResult[], complete: boolean): Promise<EntryResult[]> => {
      // Entry by entry: no single string of every result.
      const safe = results.map(r => JSON.parse(clean(JSON.stringify(r))) as EntryResult)
      const summary = inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      await writeResults(
        safe,
        complete,
        { ...inputs, startedAt, provenance: origin, previous },
        { setOutput: core.setOutput, warning: log.warning, summary }
      )
      return safe
    }
    const cancellation = cancelOnSignals(signal => {
      stopTicking()
      const done = settled.filter(Boolean)
      progress.finish(settled)
      void finish(done, false).finally(() => {
        fail(
          `Cancelled (${signal}); ${done.length} of ${entries.length} entries had finished, recorded in ${inputs.manifestPath}`
        )
        process.exit()
      })
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
      api: client && countingPins(client, progress),
      previous,
      log,
      onSettled: (index, result) => {
        settled[index] = result
        progress.settled(index, result)
      },
      signal: cancellation.signal
    })
    await client?.close()
    if (cancellation.signal.aborted) return
    cancellation.dispose()
    stopTicking()
    progress.finish(results)
    const written = await finish(results, true)
    await publishToGitHub({ ...inputs, ...origin }, written, github.context, log)

    log.info(closingLine(totalsOf(written), inputs.pin, inputs.manifestPath))
    const failures = written.filter(r => r.status === 'failed')
    if (failures.length > 0) fail(failureMessage(failures, written.length, inputs.manifestPath))
    else annotations.close()
  } catch (error) {
    fail(messageOf(error))
  }
}
