import { TEXT_PIECE } from '../constants.js'
import type { NumbersApi } from '../pipeline/types.js'
import type { EntryResult, ResultSet } from '../types.js'
import { formatCount } from './format.js'
import { entryLine, progressLine } from './log-lines.js'

/** Where progress goes; the action's entry backs it with `@actions/core` (groups fold in the log). */
export interface ProgressLog {
  info(message: string): void
  startGroup(title: string): void
  endGroup(): void
  /** Resolves once the log has taken what was written, so a long list never waits in memory. */
  drained(): Promise<void>
}

/** Reports bytes read (hashed, uploaded) as they are read: what a long single file shows progress by. */
export type OnBytes = (bytes: number) => void

export interface ProgressOptions {
  /** Entries (files and URLs) of the run, and the bytes of its files. */
  total: number
  totalBytes: number
  log: ProgressLog
  /** Milliseconds since some fixed point; injected so tests need no timers. */
  now: () => number
  /** A progress line is printed when nothing was printed for this long. */
  intervalMs?: number
  /** Up to this many entries, one line per entry as they finish; beyond, progress lines and a folded list. */
  perEntryLines?: number
  /** Failures printed as they happen in a long run, before the rest are only counted. */
  liveFailures?: number
}

/**
 * What the log shows while a run works. A short run prints one line per entry, in the entries' order
 * (each as soon as it and those before it have finished). A long run prints a progress line every few
 * seconds and its first failures, then every entry's line, in order, in a folded group at the end. Either
 * way, when nothing was printed for `intervalMs` (a 2 GiB file being hashed), a progress line is.
 */
export class RunProgress {
  readonly detailed: boolean
  private readonly intervalMs: number
  private readonly liveFailures: number
  private readonly startedAt: number
  private lastLineAt: number
  private settledCount = 0
  private settledBytes = 0
  private bytesRead = 0
  private failed = 0
  private pinsInFlight = 0
  /** Short runs: entries finished but not yet printed (an earlier one is still working), by index. */
  private readonly waiting = new Map<number, EntryResult>()
  private nextToPrint = 0

  constructor(private readonly options: ProgressOptions) {
    this.detailed = options.total <= (options.perEntryLines ?? 50)
    this.intervalMs = options.intervalMs ?? 5000
    this.liveFailures = options.liveFailures ?? 10
    this.startedAt = options.now()
    this.lastLineAt = this.startedAt
  }

  private print(line: string): void {
    this.options.log.info(line)
    this.lastLineAt = this.options.now()
  }

  /** Bytes read since the last call (the hasher's or uploader's callback). */
  readonly onBytes: OnBytes = bytes => {
    this.bytesRead += bytes
    this.tick()
  }

  pinStarted(): void {
    this.pinsInFlight++
  }

  pinEnded(): void {
    this.pinsInFlight--
  }

  /** An entry finished: its line (short runs, in order), or its count (long runs). */
  settled(index: number, result: EntryResult): void {
    this.settledCount++
    this.settledBytes += result.size ?? 0
    if (result.status === 'failed') {
      this.failed++
      if (!this.detailed && this.failed <= this.liveFailures) {
        this.print(entryLine(result))
        if (this.failed === this.liveFailures) this.print('Further failures are counted in the progress lines')
      }
    }
    if (this.detailed) {
      this.waiting.set(index, result)
      this.printWaiting()
    }
    this.tick()
  }

  private printWaiting(): void {
    for (let next = this.waiting.get(this.nextToPrint); next; next = this.waiting.get(this.nextToPrint)) {
      this.waiting.delete(this.nextToPrint++)
      this.print(entryLine(next))
    }
  }

  /** Prints a progress line when nothing was printed for a while; a timer calls this (see `tickEvery`). */
  tick(): void {
    if (this.options.now() - this.lastLineAt >= this.intervalMs) this.print(progressLine(this.state()))
  }

  private state(): Parameters<typeof progressLine>[0] {
    const { total, totalBytes } = this.options
    const elapsedMs = this.options.now() - this.startedAt
    // Bytes hashed run ahead of entries settled; without a byte callback, settled files' sizes count.
    const bytes = Math.min(totalBytes, Math.max(this.bytesRead, this.settledBytes))
    // The slower of two estimates: by entries (pins are per entry) and by bytes (hashing is per byte).
    const estimates = [
      this.settledCount > 0 ? ((total - this.settledCount) * elapsedMs) / this.settledCount : undefined,
      bytes > 0 ? ((totalBytes - bytes) * elapsedMs) / bytes : undefined
    ].filter((ms): ms is number => ms !== undefined)
    return {
      settled: this.settledCount,
      total,
      bytes,
      totalBytes,
      elapsedMs,
      leftMs: estimates.length > 0 ? Math.max(...estimates) : undefined,
      pinsInFlight: this.pinsInFlight,
      failed: this.failed
    }
  }

  /**
   * The end of the work. A short run prints lines still waiting (entries after one that never
   * finished, when cancelled); a long run prints every entry's line, in order, in a folded group.
   */
  async finish(results: ResultSet): Promise<void> {
    if (this.detailed) {
      for (const index of [...this.waiting.keys()].sort((a, b) => a - b))
        this.print(entryLine(this.waiting.get(index)!))
      this.waiting.clear()
      return
    }
    this.options.log.startGroup(`Every entry (${formatCount(results.size)}), in order`)
    // Lines go out in batches: one write per line made 100,000 entries take seconds.
    let batch: string[] = []
    let batchLength = 0
    for (const { result } of results) {
      const line = entryLine(result)
      batch.push(line)
      batchLength += line.length + 1
      if (batchLength >= TEXT_PIECE) {
        this.options.log.info(batch.join('\n'))
        batch = []
        batchLength = 0
        await this.options.log.drained()
      }
    }
    if (batch.length > 0) this.options.log.info(batch.join('\n'))
    this.options.log.endGroup()
    this.lastLineAt = this.options.now()
  }
}

/** Calls `progress.tick()` every `ms` while the run works; returns the function that stops it. */
export function tickEvery(progress: RunProgress, ms = 1000): () => void {
  const timer = setInterval(() => progress.tick(), ms)
  timer.unref()
  return () => clearInterval(timer)
}

/** The same API, counting the pins in flight for the progress lines. */
export function countingPins(api: NumbersApi, progress: RunProgress): NumbersApi {
  return {
    getNid: (upload, version) => api.getNid(upload, version),
    pin: async (upload, version) => {
      progress.pinStarted()
      try {
        return await api.pin(upload, version)
      } finally {
        progress.pinEnded()
      }
    }
  }
}
