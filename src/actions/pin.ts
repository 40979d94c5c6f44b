/**
 * The pin action: the story of a run. Every step is one call into the module that owns it; this is
 * the only place (with the other actions' entries) that touches `@actions/core`.
 */
import * as core from '@actions/core'
import * as os from 'node:os'
import * as github from '../github-context.js'
import { setTimeout as delay } from 'node:timers/promises'
import { checkRunBudget, CostMeter, metered } from '../budget.js'
import { cancelOnSignals } from '../cancellation.js'
import { ACTION_VERSION, Inputs } from '../constants.js'
import { messageOf } from '../errors.js'
import { publishToGitHub } from '../github-publish.js'
import { parseInputs, sendsToNumbers, type RunInputs } from '../inputs/pin.js'
import { provenanceOf } from '../manifest.js'
import { NumbersClient } from '../numbers/client.js'
import { gatewayPinCheck } from '../pipeline/previous-pins.js'
import { inFlightResult, runPipeline } from '../pipeline/run.js'
import type { Entry } from '../pipeline/types.js'
import { preflight } from '../preflight.js'
import { selectShard } from '../shard.js'
import { Redactor, displayUrl } from '../redact.js'
import { closingLine, failureMessage, openingLine } from '../report/log-lines.js'
import { RunProgress, countingPins, tickEvery } from '../report/progress.js'
import { logRetention } from '../report/retention.js'
import type { ResultsDigest } from '../report/digest.js'
import { writeResults, type RunRecord } from '../report/write.js'
import { retain } from '../retention.js'
import { ResultSpool, resultsOf } from '../result-spool.js'
import type { Logger, PinnedIndex } from '../types.js'
import { keepSecret, runLog } from './run-log.js'

/**
 * After a cancel (SIGINT), how long requests already sent may take to answer before the results are
 * written: the runner sends SIGTERM 7.5 s after SIGINT, and writing must be done by then.
 */
const CANCEL_GRACE_MS = 5000

/**
 * What this run will do: its inputs (URL credentials masked before anything prints), the files that
 * preflight accepted (everything refusable refused before any request), this job's shard of them.
 */
async function planRun(redactor: Redactor, log: Logger) {
  const inputs = parseInputs(name => core.getInput(name), {
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: process.env.RUNNER_TEMP,
    step: process.env.GITHUB_ACTION
  })
  for (const secret of inputs.fileUrls.flatMap(url => displayUrl(url).secrets)) keepSecret(redactor, secret)
  const found = await preflight(
    inputs,
    {
      runnerTemp: process.env.RUNNER_TEMP,
      outputFile: process.env.GITHUB_OUTPUT,
      summaryFile: inputs.showSummary ? process.env.GITHUB_STEP_SUMMARY : undefined
    },
    log
  )
  const shard = selectShard(found.files, inputs.fileUrls, inputs.shard, log)
  const urls = shard.urls.map(url => ({ url, shown: displayUrl(url).shown }))
  const entries: Entry[] = [...shard.files, ...urls.map(({ url, shown }) => ({ source: 'url' as const, url, shown }))]
  return { inputs, found, shard, urls, entries }
}

/** The services this run talks to: Numbers (when anything is sent) and, for verify-previous, the gateway. */
function connect(inputs: RunInputs, previous: PinnedIndex | undefined, log: Logger, signal: AbortSignal) {
  const userAgent = `numbers-pin-action/${ACTION_VERSION}`
  const client = sendsToNumbers(inputs)
    ? new NumbersClient({ ...inputs, token: inputs.captureToken, userAgent, log, signal })
    : undefined
  // verify-previous: an earlier pin lets its file be skipped once the gateway serves it.
  const gateway =
    inputs.verifyPrevious && inputs.pin && previous?.size
      ? gatewayPinCheck({ ...inputs, userAgent, log, signal })
      : undefined
  return { client, gateway }
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString()
  const origin = provenanceOf(github.context, process.env.GITHUB_REPOSITORY ?? '')
  // Masked before anything else can print them.
  const redactor = new Redactor()
  for (const input of [Inputs.CaptureToken, Inputs.GithubToken]) keepSecret(redactor, core.getInput(input).trim())
  const { log, info, drained, close } = runLog(redactor)

  try {
    const { inputs, found, shard, urls, entries } = await planRun(redactor, log)
    const { previous } = found
    const { files } = shard
    const bytes = files.reduce((sum, f) => sum + f.size, 0)
    log.info(openingLine({ ...inputs, files: files.length, bytes, urls: urls.length }))
    // With a budget, the files are hashed first: the estimate needs their Nids before any paid request.
    await checkRunBudget({ ...inputs, files, urls: urls.map(u => u.shown), previous }, log)
    const meter = new CostMeter(inputs.maxMonthlyCost)
    const progress = new RunProgress({
      total: entries.length,
      totalBytes: bytes,
      now: () => performance.now(),
      log: { info, startGroup: core.startGroup, endGroup: core.endGroup, drained }
    })
    const stopTicking = tickEvery(progress)

    // Each result goes to a spool file as it settles: memory stays flat at any count.
    const results = new ResultSpool(process.env.RUNNER_TEMP || os.tmpdir(), entries.length)
    // Removed at exit, whichever way the run ends (a cancel writes its results last, then exits).
    process.once('exit', () => results.dispose())
    /** Entries whose pin request was sent and that have not settled: bounded by `concurrency`. */
    const pinsUnanswered = new Set<number>()
    /** False once a cancel has recorded what was unanswered: a later answer cannot change the record. */
    let recording = true
    /** Writes manifest, checksums, outputs and summary; returns what the closing lines show. */
    const finish = async (complete: boolean, retention?: RunRecord['retention']): Promise<ResultsDigest> => {
      stopTicking()
      await progress.finish(results)
      const summary = inputs.showSummary && process.env.GITHUB_STEP_SUMMARY ? core.summary : undefined
      return writeResults(
        results,
        complete,
        { ...inputs, startedAt, provenance: origin, previous, sharding: shard.record, retention, cost: meter.spent() },
        { setOutput: core.setOutput, warning: log.warning, notice: log.notice, summary }
      )
    }

    // Cancelled: nothing new starts (no new entry, no new attempt); requests already sent get a few
    // seconds to answer, and those still unanswered are recorded as possibly billed.
    const cancellation = cancelOnSignals(signal => void cancel(signal))
    const { client, gateway } = connect(inputs, previous, log, cancellation.signal)
    const paid = client && metered(client, meter)
    const running = runPipeline(entries, {
      ...inputs,
      api: paid && countingPins(paid, progress),
      previous,
      checkPin: gateway?.checkPin,
      log,
      onPinSent: index => pinsUnanswered.add(index),
      onSettled: (index, result) => {
        if (!recording) return
        // A sha256 and a Nid are computed here (a URL's Nid is a checked CID): never altered by redaction.
        results.add(index, redactor.value(result, ['sha256', 'nid']))
        pinsUnanswered.delete(index)
        progress.settled(index, result)
      },
      recall: index => results.get(index),
      signal: cancellation.signal
    })
    const cancel = async (signal: NodeJS.Signals): Promise<never> => {
      await Promise.race([running, delay(CANCEL_GRACE_MS)])
      recording = false
      const done = results.size
      const unanswered = [...pinsUnanswered]
      for (const i of unanswered) results.add(i, redactor.value(inFlightResult(entries[i], inputs), ['sha256', 'nid']))
      await finish(false).catch(error => log.warning(messageOf(error)))
      close(
        `Cancelled (${signal}); ${done} of ${entries.length} entries had finished${unanswered.length ? `, ${unanswered.length} pin requests were still unanswered (possibly billed)` : ''}; recorded in ${inputs.manifestPath}`
      )
      process.exit()
    }
    await running
    // Earlier pins absent from this run: listed or unpinned, unless an interlock holds.
    const foundNothing = entries.length === 0 || (inputs.patterns.length > 0 && files.length === 0)
    const retention = cancellation.signal.aborted
      ? undefined
      : await retain({
          ...inputs,
          ...found,
          results: resultsOf(results),
          foundNothing,
          unpin: paid?.unpin,
          signal: cancellation.signal
        })
    await client?.close()
    await gateway?.close()
    if (cancellation.signal.aborted || !retention) return
    cancellation.dispose()
    const digest = await finish(true, retention)
    await publishToGitHub({ ...inputs, ...origin }, digest, github.context, log)

    const unpinFailures = logRetention(retention, log)
    log.info(closingLine(digest.totals, inputs.pin, inputs.manifestPath))
    const problems = digest.totals.failed > 0 ? [failureMessage(digest, inputs.manifestPath)] : []
    close([...problems, ...unpinFailures].join('\n') || undefined)
  } catch (error) {
    close(messageOf(error))
  }
}
