/**
 * The results of a run, written to a spool file as they settle and read back in entry order when the
 * run reports: what stays in memory is two numbers per entry, whatever the count (issue: 100,000
 * files in ≤ 150 MB). Synchronous I/O on purpose: a line is a few hundred bytes, buffered, and the
 * reads at the end are one pass in order.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import * as path from 'node:path'
import { TEXT_PIECE } from './constants.js'
import { FileError } from './errors.js'
import type { EntryResult, ResultSet, SettledResult } from './types.js'

/**
 * A run's results on disk, one JSON line per entry: lines are written TEXT_PIECE bytes at a time and
 * read back through a window of the same size.
 */
export class ResultSpool implements ResultSet {
  private readonly folder: string
  private readonly fd: number
  /** Where each entry's line starts in the file, and its length in bytes (0: not settled). */
  private readonly offsets: Float64Array
  private readonly lengths: Uint32Array
  private pending: string[] = []
  private pendingBytes = 0
  private written = 0
  private settled = 0
  private disposed = false

  /** A spool for `count` entries, in a new folder under `temp` that `dispose` removes. */
  constructor(temp: string, count: number) {
    try {
      this.folder = mkdtempSync(path.join(temp, 'numbers-results-'))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new FileError(
        temp,
        `the run's results are kept here as they settle, but a folder cannot be made in it (${code}); run on a runner whose RUNNER_TEMP is a writable folder`
      )
    }
    this.fd = openSync(path.join(this.folder, 'results.jsonl'), 'w+', 0o600)
    this.offsets = new Float64Array(count)
    this.lengths = new Uint32Array(count)
  }

  get size(): number {
    return this.settled
  }

  /** Records the result of entry `index` (once: a second result of the same entry is a bug). */
  add(index: number, result: EntryResult): void {
    if (this.lengths[index] !== 0) throw new Error(`internal: entry ${index} settled twice`)
    const json = JSON.stringify(result)
    const bytes = Buffer.byteLength(json)
    this.offsets[index] = this.written + this.pendingBytes
    this.lengths[index] = bytes
    this.pending.push(json)
    this.pendingBytes += bytes + 1
    this.settled++
    if (this.pendingBytes >= TEXT_PIECE) this.flush()
  }

  /** The result of entry `index`, which has settled. */
  get(index: number): EntryResult {
    const length = this.lengths[index]
    if (length === 0) throw new Error(`internal: entry ${index} has not settled`)
    this.flush()
    const line = Buffer.alloc(length)
    readSync(this.fd, line, 0, length, this.offsets[index])
    return JSON.parse(line.toString('utf8')) as EntryResult
  }

  *lines(): Generator<string> {
    this.flush()
    let window = Buffer.alloc(TEXT_PIECE)
    let start = 0
    let end = 0
    for (let index = 0; index < this.lengths.length; index++) {
      const length = this.lengths[index]
      if (length === 0) continue
      const offset = this.offsets[index]
      if (offset < start || offset + length > end) {
        // Entries settle nearly in order: one read usually serves a few hundred lines.
        if (length > window.length) window = Buffer.alloc(length)
        start = offset
        end = offset + readSync(this.fd, window, 0, window.length, offset)
      }
      yield window.toString('utf8', offset - start, offset - start + length)
    }
  }

  *[Symbol.iterator](): Generator<SettledResult> {
    for (const json of this.lines()) yield { result: JSON.parse(json) as EntryResult, json }
  }

  /** Closes and removes the spool file; once. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    closeSync(this.fd)
    rmSync(this.folder, { recursive: true, force: true })
  }

  private flush(): void {
    if (this.pending.length === 0) return
    const text = `${this.pending.join('\n')}\n`
    let data = Buffer.from(text)
    while (data.length > 0) {
      const n = writeSync(this.fd, data, 0, data.length, this.written)
      this.written += n
      data = data.subarray(n)
    }
    this.pending = []
    this.pendingBytes = 0
  }
}

/** The same walk over results already in memory (a merge, tests). */
export function resultSetOf(results: readonly EntryResult[]): ResultSet {
  return {
    size: results.length,
    *lines() {
      for (const result of results) yield JSON.stringify(result)
    },
    *[Symbol.iterator]() {
      for (const result of results) yield { result, json: JSON.stringify(result) }
    }
  }
}

/** The results alone, walked anew each time (retention and the ledger need no JSON). */
export function resultsOf(results: ResultSet): Iterable<EntryResult> {
  return {
    *[Symbol.iterator]() {
      for (const { result } of results) yield result
    }
  }
}
