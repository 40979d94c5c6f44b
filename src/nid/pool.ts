import { promises as fs } from 'node:fs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { FileError, changedSize } from '../errors.js'
import type { CidVersion } from '../types.js'
import { hashFdSync, type FileDigest } from './hash.js'
import { failureOf, type JobReply, type JobRequest, type WorkerFailure } from './protocol.js'
import { abortRing, createRing, resetRing, type Ring } from './split.js'

/**
 * Hashes files on every core: worker threads, one file each, and files of SPLIT_SIZE or more
 * shared by two workers (one computes the sha256, the other the Nid, both from one read). Small
 * files are hashed on the calling thread: posting them to a worker costs more than hashing them.
 */

/** At most this size, a file is hashed on the calling thread (bench: 100,000 files of 1 B–4 KiB). */
export const INLINE_SIZE = 64 * 1024
/** From this size, a file is shared by two workers; below, each worker hashes its own file. */
export const SPLIT_SIZE = 16 * 2 ** 20

/** The worker script, and the Node flags it needs. */
export interface WorkerScript {
  url: URL
  execArgv: string[]
}

/**
 * In the bundle (dist/index.js) the worker is its own bundle, dist/nid-worker/index.js; run from
 * the TS sources (Jest, tsx) it is src/nid/worker.ts, loaded through tsx.
 */
export function defaultWorkerScript(): WorkerScript {
  // A variable, not import.meta.url inline: the bundler must not try to pack the worker itself.
  const here = import.meta.url
  return here.endsWith('.ts')
    ? { url: new URL('worker.ts', here), execArgv: ['--import', 'tsx'] }
    : { url: new URL('nid-worker/index.js', here), execArgv: [] }
}

export interface HashPoolOptions {
  /** Worker threads; by default one per core the process may use. */
  size?: number
  worker?: WorkerScript
}

interface Request {
  fd: number
  size: number
  version: CidVersion
  file: string
  resolve: (digest: FileDigest) => void
  reject: (error: Error) => void
}

interface Running {
  id: number
  request: Request
  workers: PoolWorker[]
  ring?: Ring
  halves: { sha256?: string; nid?: string }
  failures: (WorkerFailure | Error)[]
  replies: number
}

interface PoolWorker {
  thread: Worker
  /** Its jobs in the order it runs them: the first is running, the next waits in its port. */
  jobs: Running[]
}

/**
 * Whole files posted to one worker at a time: the next one waits in its port, so the worker never
 * idles while the main thread (busy opening files, logging) gets round to its reply.
 */
const WORKER_DEPTH = 2

export class HashPool {
  readonly size: number
  private readonly script: WorkerScript
  private readonly workers: PoolWorker[] = []
  private readonly queue: Request[] = []
  private readonly rings: Ring[] = []
  private readonly running = new Map<number, Running>()
  private nextId = 0
  private closed = false
  /** The calling thread's read buffer, for small files (a byte over, for the end check). */
  private readonly inlineBuffer = new Uint8Array(INLINE_SIZE + 1)

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism())
    this.script = options.worker ?? defaultWorkerScript()
  }

  /**
   * The Nid, sha256 and size of the `expectedSize` bytes of `fd`, an open regular file the caller
   * keeps (it is read with positions: never moved, never closed). A file of another size (it
   * changed since it was checked) or a failed read rejects with a FileError naming `file`.
   */
  hashFd(fd: number, expectedSize: number, version: CidVersion, file = `fd ${fd}`): Promise<FileDigest> {
    if (this.closed) return Promise.reject(new Error('internal: the hash pool is closed'))
    if (this.hashesInline(expectedSize)) {
      try {
        return Promise.resolve(hashFdSync(fd, expectedSize, version, this.inlineBuffer))
      } catch (error) {
        return Promise.reject(fileErrorOf(file, failureOf(error)))
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ fd, size: expectedSize, version, file, resolve, reject })
      this.pump()
    })
  }

  /** Whether a file of `size` bytes is hashed on the calling thread, synchronously. */
  hashesInline(size: number): boolean {
    return size <= INLINE_SIZE
  }

  /** Opens `file`, hashes all of it, closes it; errors name it `shown` (its workspace path). */
  async hashFile(file: string, version: CidVersion, shown = file): Promise<FileDigest> {
    const handle = await fs.open(file, 'r')
    try {
      return await this.hashFd(handle.fd, (await handle.stat()).size, version, shown)
    } finally {
      await handle.close()
    }
  }

  /** Stops every worker; hashes queued or running reject. The pool cannot be used again. */
  async close(): Promise<void> {
    this.closed = true
    const error = new Error('cancelled: the hash pool was closed')
    for (const request of this.queue.splice(0)) request.reject(error)
    for (const job of this.running.values()) {
      if (job.ring) abortRing(job.ring)
      job.request.reject(error)
    }
    this.running.clear()
    await Promise.all(this.workers.splice(0).map(w => w.thread.terminate()))
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const split = this.size >= 2 && this.queue[0].size >= SPLIT_SIZE
      const idle = split ? this.idleWorkers(2) : this.leastBusyWorker()
      if (!idle) return
      const request = this.queue.shift() as Request
      const id = this.nextId++
      const job: Running = { id, request, workers: idle, halves: {}, failures: [], replies: 0 }
      this.running.set(id, job)
      const base = { id, fd: request.fd, size: request.size, version: request.version }
      const messages: JobRequest[] = [base]
      if (split) {
        const ring = this.rings.pop() ?? createRing()
        resetRing(ring)
        job.ring = ring
        messages.splice(0, 1, { ...base, share: 'sha256', ring }, { ...base, share: 'leaves', ring })
      }
      idle.forEach((worker, i) => {
        worker.jobs.push(job)
        worker.thread.ref()
        worker.thread.postMessage(messages[i])
      })
    }
  }

  /**
   * `count` workers with no job (started as needed), or undefined if there are not that many yet.
   * The two halves of a split file wait for each other, so neither may sit behind another job.
   */
  private idleWorkers(count: number): PoolWorker[] | undefined {
    const idle = this.workers.filter(w => w.jobs.length === 0)
    while (idle.length < count && this.workers.length < this.size) idle.push(this.startWorker())
    return idle.length >= count ? idle.slice(0, count) : undefined
  }

  /** The worker with the fewest jobs, if it can take one more (the first ones are started first). */
  private leastBusyWorker(): PoolWorker[] | undefined {
    const idle = this.idleWorkers(1)
    if (idle) return idle
    const least = this.workers.reduce((a, b) => (b.jobs.length < a.jobs.length ? b : a))
    return least.jobs.length < WORKER_DEPTH ? [least] : undefined
  }

  private startWorker(): PoolWorker {
    const worker: PoolWorker = {
      thread: new Worker(this.script.url, { execArgv: this.script.execArgv }),
      jobs: []
    }
    worker.thread.on('message', (reply: JobReply) => this.onReply(worker, reply))
    // A worker that dies (out of memory, a bug) fails its jobs; a new one is started when needed.
    const died = (error: Error): void => {
      const index = this.workers.indexOf(worker)
      if (index === -1) return
      this.workers.splice(index, 1)
      for (const job of [...worker.jobs]) {
        if (job.ring) abortRing(job.ring)
        this.settleHalf(worker, job, error)
      }
      if (!this.closed) this.pump()
    }
    worker.thread.on('error', died)
    worker.thread.on('exit', code => died(new Error(`internal: a hashing worker exited (code ${code})`)))
    this.workers.push(worker)
    return worker
  }

  private onReply(worker: PoolWorker, reply: JobReply): void {
    const job = this.running.get(reply.id)
    if (!job || worker.jobs[0] !== job) return
    if (reply.digest) job.halves = { ...reply.digest }
    else if (reply.half !== undefined) {
      if (worker === job.workers[0]) job.halves.sha256 = reply.half
      else job.halves.nid = reply.half
    }
    this.settleHalf(worker, job, reply.error)
  }

  /** Records one worker's reply (or death); the job settles once every worker of it answered. */
  private settleHalf(worker: PoolWorker, job: Running, outcome: WorkerFailure | Error | undefined): void {
    worker.jobs.splice(worker.jobs.indexOf(job), 1)
    // An idle worker does not keep the process alive, even if nobody closes the pool.
    if (worker.jobs.length === 0 && this.workers.includes(worker)) worker.thread.unref()
    if (outcome) job.failures.push(outcome)
    if (++job.replies < job.workers.length) return
    this.running.delete(job.id)
    if (job.ring) this.rings.push(job.ring)
    const { request, halves } = job
    // The failure that caused the others (the partner of a failed half only reports 'aborted').
    const failure = job.failures.find(f => f instanceof Error || f.kind !== 'aborted') ?? job.failures[0]
    if (failure) request.reject(failure instanceof Error ? failure : fileErrorOf(request.file, failure))
    else request.resolve({ nid: halves.nid as string, sha256: halves.sha256 as string, size: request.size })
    if (!this.closed) this.pump()
  }
}

function fileErrorOf(file: string, failure: WorkerFailure): FileError {
  switch (failure.kind) {
    case 'size':
      return changedSize(file, failure.expected, failure.actual)
    case 'io':
      return new FileError(
        file,
        `could not be read (${failure.code ?? failure.message}); check that it is a readable regular file`
      )
    case 'aborted':
      return new FileError(file, 'could not be hashed (internal: its hashing was aborted)')
  }
}
