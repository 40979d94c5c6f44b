import { formatCount } from './format.js'
import { LIMITS } from './limits.js'

export type AnnotationKind = 'error' | 'warning' | 'notice'

/** Where annotations and plain log lines go; the action's entry backs it with `@actions/core`. */
export interface AnnotationOutput {
  annotate(kind: AnnotationKind, message: string): void
  info(message: string): void
}

const LABEL: Record<AnnotationKind, string> = { error: 'Error', warning: 'Warning', notice: 'Notice' }

interface Overflow {
  /** The first message past the cap, held back: alone, it can still be shown as the last annotation. */
  held?: string
  count: number
}

/**
 * GitHub shows at most 10 annotations of each kind per step and drops the rest silently. This shows
 * the first nine of each kind as they come and keeps the last one for `close()`: the one message past
 * the cap, or a line saying how many more there were and where they are (the log, where each went as
 * a plain line). The step's failure message, given to `close()`, is always the last error shown.
 */
export class AnnotationBudget {
  private readonly shown: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 }
  private readonly overflow: Record<AnnotationKind, Overflow> = {
    error: { count: 0 },
    warning: { count: 0 },
    notice: { count: 0 }
  }
  private closed = false

  constructor(
    private readonly out: AnnotationOutput,
    private readonly perKind: number = LIMITS.annotationsPerKind
  ) {}

  add(kind: AnnotationKind, message: string): void {
    if (!this.closed && this.shown[kind] < this.perKind - 1) {
      this.shown[kind]++
      this.out.annotate(kind, message)
      return
    }
    const overflow = this.overflow[kind]
    overflow.count++
    if (overflow.count === 1 && !this.closed) {
      overflow.held = message
      return
    }
    this.release(kind)
    this.out.info(`${LABEL[kind]}: ${message}`)
  }

  /** The held message, as a plain log line (once more messages make it one of many). */
  private release(kind: AnnotationKind): void {
    const overflow = this.overflow[kind]
    if (overflow.held !== undefined) this.out.info(`${LABEL[kind]}: ${overflow.held}`)
    overflow.held = undefined
  }

  /** Shows the last annotation of each kind; `failure` is the step's failure message. Call once, at the end. */
  close(failure?: string): void {
    if (this.closed) return
    this.closed = true
    for (const kind of ['error', 'warning', 'notice'] as const) {
      const overflow = this.overflow[kind]
      const last = kind === 'error' ? failure : undefined
      if (last === undefined && overflow.count === 1 && overflow.held !== undefined) {
        this.out.annotate(kind, overflow.held)
        overflow.held = undefined
        continue
      }
      this.release(kind)
      const more =
        overflow.count > 0
          ? `${formatCount(overflow.count)} more ${overflow.count === 1 ? kind : `${kind}s`} than GitHub shows as annotations: read them in this step's log, as lines starting "${LABEL[kind]}:"`
          : undefined
      if (last !== undefined) this.out.annotate(kind, more ? `${last}\n(${more})` : last)
      else if (more) this.out.annotate(kind, more)
    }
  }
}
