/**
 * The log of an action's run, shared by the three entries: secrets kept out of every line, at most
 * 10 annotations of each kind (GitHub drops the rest), plain lines that can never start a workflow
 * command, and the step's failure as the last annotation.
 */
import * as core from '@actions/core'
import { once } from 'node:events'
import type { Redactor } from '../redact.js'
import { AnnotationBudget } from '../report/annotations.js'
import { asLogLines } from '../safe-text.js'
import type { Logger } from '../types.js'

export interface RunLog {
  log: Logger
  /** A plain log line (redacted, never a command). */
  info: (message: string) => void
  /** An error annotation within the budget (one entry of several that failed, say). */
  error: (message: string) => void
  /**
   * Resolves once the log (stdout) has taken what was written, if more than LOG_QUEUE_BYTES of it
   * waits: the runner reads it through a pipe, and lines written faster than it reads would wait in
   * memory (100,000 entries' lines: ~60 MB). Waiting at every 32 KiB made each piece a round trip
   * with the reader (the bench's harness, reading slower than the runner: 10% on the whole run).
   */
  drained: () => Promise<void>
  /** Ends the log; a failure is the step's last annotation, which says how many were not shown. */
  close: (failure?: string) => void
}

/** At most this much of the log waits in memory for the runner to read it. */
const LOG_QUEUE_BYTES = 1024 * 1024

/** The run's log: secrets removed from every line, at most 10 annotations of each kind, plain lines never commands. */
export function runLog(redactor: Redactor): RunLog {
  const info = (m: string): void => core.info(asLogLines(redactor.text(m)))
  const annotations = new AnnotationBudget({ annotate: (kind, m) => core[kind](m), info })
  return {
    info,
    error: m => annotations.add('error', redactor.text(m)),
    log: {
      debug: m => core.debug(redactor.text(m)),
      info,
      notice: m => annotations.add('notice', redactor.text(m)),
      warning: m => annotations.add('warning', redactor.text(m))
    },
    drained: async () => {
      if (process.stdout.writableLength > LOG_QUEUE_BYTES) await once(process.stdout, 'drain')
    },
    close: failure => {
      annotations.close(failure === undefined ? undefined : redactor.text(failure))
      if (failure !== undefined) process.exitCode = core.ExitCode.Failure
    }
  }
}

/** Masks a secret in the runner's log (once) and removes it from everything this run writes. */
export function keepSecret(redactor: Redactor, secret: string): void {
  if (secret === '' || redactor.has(secret)) return
  core.setSecret(secret)
  redactor.add(secret)
}
