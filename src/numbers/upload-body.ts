/**
 * The multipart/form-data body of a file upload (the `curl -F file=@path` shape the contract asks
 * for), read from disk while undici sends it.
 *
 * Why not undici's FormData with a file-backed Blob: undici 6 copies each chunk of the Blob's stream
 * once more, and V8 frees both copies only when external memory has grown by tens of MB, so peak
 * memory rose and fell with upload speed. This body reads into one buffer per upload and reads into
 * it again only once the socket has written it, so memory stays flat for any size or number of files.
 */
import { randomBytes } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { read } from 'node:fs'
import { promisify } from 'node:util'
import type { Socket } from 'node:net'
import { CHUNK_SIZE } from '../constants.js'

/**
 * Read size: Kubo's chunk size. Larger than a socket's write buffer (16 KiB on Node 20, 64 KiB on 24),
 * so each write fills it and undici waits for 'drain' before it asks for the next chunk.
 */
export const READ_BYTES = CHUNK_SIZE

export type FormFields = Record<string, string | number | boolean | undefined>

/** Quotes a multipart name or file name the way browsers and undici do (WHATWG HTML's encoding). */
export function quoted(value: string): string {
  return `"${value.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22')}"`
}

const readAt = promisify(read)

export class FileBody implements AsyncIterable<Buffer> {
  /** The socket undici writes this body to, learned when it sends the headers (see below). */
  socket?: Socket
  /** Read buffers allocated: 1 when every chunk reused the first; for tests. */
  buffersAllocated = 0

  constructor(
    private readonly fd: number,
    private readonly size: number,
    private readonly head: Buffer,
    private readonly tail: Buffer
  ) {}

  /** The head, the file's `size` bytes read from position 0 (the descriptor is shared: never moved), the tail. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    yield this.head
    let buffer = this.allocate()
    for (let position = 0; position < this.size;) {
      const { bytesRead } = await readAt(this.fd, buffer, 0, Math.min(buffer.length, this.size - position), position)
      // A file that shrank: undici fails the request on the short body (content-length).
      if (bytesRead === 0) break
      position += bytesRead
      yield buffer.subarray(0, bytesRead)
      // undici has written the chunk before it asks for the next, but a partial write leaves the
      // rest queued on the socket: read into the buffer again only when nothing is queued.
      if (this.socket === undefined || this.socket.writableLength > 0) buffer = this.allocate()
    }
    yield this.tail
  }

  /** No larger than the file: a small file's upload holds a few KiB, not READ_BYTES, while it is sent. */
  private allocate(): Buffer {
    this.buffersAllocated++
    return Buffer.allocUnsafeSlow(Math.min(READ_BYTES, this.size))
  }
}

/**
 * undici announces each request's socket as it sends the headers; a FileBody takes note of its own.
 * Subscribed when the first upload is made, not at import: a run that uploads nothing listens to nothing.
 */
let listening = false
function learnSockets(): void {
  if (listening) return
  listening = true
  subscribe('undici:client:sendHeaders', message => {
    const { request, socket } = message as { request?: { body?: unknown }; socket?: Socket }
    if (request?.body instanceof FileBody) request.body.socket = socket
  })
}

export interface MultipartUpload {
  contentType: string
  /** Exact byte length, sent as content-length: undici fails the request if the file changes size. */
  length: number
  /** A new body for each attempt (a body can be sent once). */
  body: () => FileBody
}

/**
 * The fields first, then the file as field `file`. `size` is the size the file had when it was hashed:
 * if it has changed by the time it is read, undici fails the request rather than send other bytes.
 */
export function multipartUpload(file: { fd: number; name: string; size: number }, fields: FormFields): MultipartUpload {
  const boundary = `----numbers-pin-action-${randomBytes(16).toString('hex')}`
  let head = ''
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${String(value)}\r\n`
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(file.name)}\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n'
  const headBytes = Buffer.from(head)
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`)
  learnSockets()
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: headBytes.length + file.size + tailBytes.length,
    body: () => new FileBody(file.fd, file.size, headBytes, tailBytes)
  }
}
