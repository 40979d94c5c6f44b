import { createHash, randomBytes } from 'node:crypto'
import { closeSync, openSync, promises as fs } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { FileBody, READ_BYTES, multipartUpload, quoted, type MultipartUpload } from '../../src/numbers/upload-body.js'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'upload-body-'))
})
const descriptors: number[] = []
afterAll(async () => {
  for (const fd of descriptors) closeSync(fd)
  await fs.rm(dir, { recursive: true, force: true })
})

/** A file on disk, as the client is handed it: opened once, the name to send, its size (and its path). */
async function fileOf(name: string, bytes: Buffer): Promise<{ fd: number; path: string; name: string; size: number }> {
  const file = path.join(dir, name)
  await fs.writeFile(file, bytes)
  const fd = openSync(file, 'r')
  descriptors.push(fd)
  return { fd, path: file, name, size: bytes.length }
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  // Copies: with no socket known the body never reuses a buffer, but a test should not rely on it.
  for await (const chunk of body) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** Parses a body with undici's own multipart parser, the one the mock uses. */
async function parse(upload: MultipartUpload, bytes: Buffer): Promise<FormData> {
  return new Response(bytes, { headers: { 'content-type': upload.contentType } }).formData()
}

const sha256 = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

test('quotes names the way browsers and undici do', () => {
  expect(quoted('a "b".txt')).toBe('"a %22b%22.txt"')
  expect(quoted('line\r\nbreak')).toBe('"line%0D%0Abreak"')
  expect(quoted('naïve ✓.bin')).toBe('"naïve ✓.bin"')
})

test('is the fields, then the file as field "file", with an exact content-length', async () => {
  const bytes = randomBytes(READ_BYTES * 2 + 123)
  const file = await fileOf('data.bin', bytes)
  const upload = multipartUpload(
    { ...file, name: 'dist/"odd" naïve.bin' },
    { version: 1, pin: true, skipped: undefined }
  )
  const body = await collect(upload.body())
  expect(body.length).toBe(upload.length)
  expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=\S+$/)
  const form = await parse(upload, body)
  expect([...form.keys()]).toEqual(['version', 'pin', 'file'])
  expect(form.get('version')).toBe('1')
  expect(form.get('pin')).toBe('true')
  const sent = form.get('file') as File
  expect(sent.name).toBe('dist/"odd" naïve.bin')
  expect(sent.type).toBe('application/octet-stream')
  expect(sha256(Buffer.from(await sent.arrayBuffer()))).toBe(sha256(bytes))
})

test('an empty file is a part with no bytes', async () => {
  const upload = multipartUpload(await fileOf('empty', Buffer.alloc(0)), { version: 0 })
  const body = await collect(upload.body())
  expect(body.length).toBe(upload.length)
  expect(((await parse(upload, body)).get('file') as File).size).toBe(0)
})

test('each body reads the file again from the start, and two boundaries never repeat', async () => {
  const file = await fileOf('twice.bin', randomBytes(1000))
  const upload = multipartUpload(file, {})
  expect((await collect(upload.body())).equals(await collect(upload.body()))).toBe(true)
  expect(multipartUpload(file, {}).contentType).not.toBe(upload.contentType)
})

test('reads into a new buffer whenever the socket is unknown or still has bytes queued', async () => {
  const file = await fileOf('guard.bin', randomBytes(READ_BYTES * 3))
  const upload = multipartUpload(file, {})

  // Three chunks, then the read that finds the end.
  const unknown = upload.body()
  await collect(unknown)
  expect(unknown.buffersAllocated).toBe(4)

  const busy = upload.body()
  busy.socket = { writableLength: 1 } as Socket
  await collect(busy)
  expect(busy.buffersAllocated).toBe(4)

  const idle = upload.body()
  idle.socket = { writableLength: 0 } as Socket
  await collect(idle)
  expect(idle.buffersAllocated).toBe(1)
})

describe('sent by undici', () => {
  let server: Server
  let url: string
  let agent: Agent
  /** How the server reads a request: at once, or only after a while. */
  let slow = false
  const received: Buffer[] = []

  async function readAll(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      // A slow server reads nothing at first: the kernel's buffers fill and the client's writes queue.
      const read = slow ? new Promise(resolve => setTimeout(resolve, 300)).then(() => readAll(req)) : readAll(req)
      read.then(
        bytes => {
          received.push(bytes)
          res.end('ok')
        },
        () => res.destroy() // the client gave up on the request
      )
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    agent = new Agent()
  })
  afterEach(() => {
    received.length = 0
    slow = false
  })
  afterAll(async () => {
    await agent.close()
    await new Promise(resolve => server.close(resolve))
  })

  async function send(upload: MultipartUpload): Promise<{ body: FileBody; status: number }> {
    const body = upload.body()
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': upload.contentType, 'content-length': String(upload.length) },
      body: body as unknown as Readable,
      dispatcher: agent
    })
    await response.body.text()
    return { body, status: response.statusCode }
  }

  test.each([
    ['a server that reads at once', false],
    ['a server that stalls first (partial writes)', true]
  ])('arrives byte for byte through %s, reusing one read buffer', async (_, isSlow) => {
    slow = isSlow
    // More than loopback's socket buffers hold, so a stalled server leaves writes queued.
    const bytes = randomBytes(READ_BYTES * 64 + 4321)
    const upload = multipartUpload(await fileOf('sent.bin', bytes), { version: 1 })
    const { body, status } = await send(upload)
    expect(status).toBe(200)
    expect(body.socket).toBeDefined()
    expect(body.buffersAllocated).toBe(1)
    expect(received[0].length).toBe(upload.length)
    const sent = (await parse(upload, received[0])).get('file') as File
    expect(sha256(Buffer.from(await sent.arrayBuffer()))).toBe(sha256(bytes))
  })

  test('a file that shrank since it was measured fails the request instead of sending other bytes', async () => {
    const file = await fileOf('shrinks.bin', randomBytes(READ_BYTES + 1000))
    const upload = multipartUpload(file, {})
    await fs.truncate(file.path, 10)
    await expect(send(upload)).rejects.toMatchObject({ code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' })
  })

  test('a file that grew since it was measured sends exactly the measured bytes, no more', async () => {
    const bytes = randomBytes(READ_BYTES + 1000)
    const file = await fileOf('grows.bin', bytes)
    const upload = multipartUpload(file, {})
    await fs.appendFile(file.path, 'more')
    expect((await send(upload)).status).toBe(200)
    const sent = (await parse(upload, received[0])).get('file') as File
    expect(sha256(Buffer.from(await sent.arrayBuffer()))).toBe(sha256(bytes))
  })
})
