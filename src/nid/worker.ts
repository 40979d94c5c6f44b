/**
 * The hashing worker (bundled on its own to dist/nid-worker/index.js): hashes whole files, or one
 * half of a large file shared with another worker, from fds the main thread opened.
 */
import { parentPort } from 'node:worker_threads'
import { READ_SIZE, hashFdSync } from './hash.js'
import { failureOf, type JobReply, type JobRequest } from './protocol.js'
import { hashShare } from './split.js'

if (!parentPort) throw new Error('src/nid/worker.ts runs as a worker thread')
const port = parentPort

/** One read buffer for every whole file this worker hashes (a byte over, for the end check). */
const buffer = new Uint8Array(READ_SIZE + 1)

port.on('message', (job: JobRequest) => {
  let reply: JobReply
  try {
    reply = job.share
      ? { id: job.id, half: hashShare(job.share, job.ring, job.fd, job.size, job.version) }
      : { id: job.id, digest: hashFdSync(job.fd, job.size, job.version, buffer) }
  } catch (error) {
    reply = { id: job.id, error: failureOf(error) }
  }
  port.postMessage(reply)
})
