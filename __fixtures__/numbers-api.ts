/**
 * The repository's own mock of the two Numbers endpoints (docs/numbers-api.md): a real HTTP server
 * on 127.0.0.1 that checks what it receives as the contract says (token header, multipart field
 * `file` or JSON `fileURL`, `version`, `pin`), computes the CID of the bytes it got with the
 * importer (independently of the action's own code), answers the contract's JSON with a fresh
 * `orderID`, records every request, and can be scripted to fail in the ways a proxy in front of a
 * serverless function does.
 */
import { createHash, randomUUID } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Response, fetch } from 'undici'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

export type MockEndpoint = 'nid' | 'pin'

export interface RecordedRequest {
  endpoint: MockEndpoint
  /** Attempt number for the same endpoint and content (file sha256 or URL), from 1. */
  attempt: number
  authorization?: string
  userAgent?: string
  contentType?: string
  shape: 'multipart' | 'json' | 'other'
  fields: Record<string, string>
  fileName?: string
  size?: number
  sha256?: string
  fileURL?: string
  version?: number
  cid?: string
  status: number
  orderID?: string
  scripted?: string
  /** When the request began to arrive: the latency is counted from here. */
  receivedAt: number
}

/** A scripted answer, used once for the next matching request. */
export type ScriptedAnswer =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  | { delayMs: number }
  | { hang: true }
  | { reset: true }
  | { html: true; status?: number }
  | { truncated: true }
  | { empty: true; status?: number }
  | { wrongCid: true }
  | { missing: 'cid' | 'orderID' }
  | { wrongTypes: true }

export interface MockOptions {
  token: string
  latencyMs?: number
}

export interface NumbersMock {
  nidUrl: string
  pinUrl: string
  requests: RecordedRequest[]
  /** Queues answers for the next requests to `endpoint` ('any': either endpoint). */
  script(endpoint: MockEndpoint | 'any', ...answers: ScriptedAnswer[]): void
  setLatency(ms: number): void
  reset(): void
  close(): Promise<void>
}

const KUBO = {
  chunker: fixedSize({ chunkSize: 262144 }),
  layout: balanced({ maxChildrenPerNode: 174 }),
  reduceSingleLeafToSelf: true
}

/** The CID Kubo's `ipfs add` gives these bytes (with `--cid-version=1` for version 1). */
export async function kuboCid(bytes: Uint8Array, version: 0 | 1): Promise<string> {
  const options = { ...KUBO, cidVersion: version, rawLeaves: version === 1, leafType: 'file' as const }
  let root = ''
  for await (const entry of importer([{ content: [bytes] }], { put: async cid => cid }, options))
    root = entry.cid.toString()
  return root
}

class BadRequest extends Error {}

/** Unref'd, so a scripted delay still pending when the mock closes does not keep tests alive. */
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms).unref())

interface Received {
  bytes: Uint8Array
  shape: 'multipart' | 'json'
  fields: Record<string, string>
  fileName?: string
  fileURL?: string
}

async function parseBody(req: http.IncomingMessage, raw: Buffer): Promise<Received> {
  const contentType = req.headers['content-type'] ?? ''
  if (contentType.startsWith('multipart/form-data')) {
    let form
    try {
      form = await new Response(raw, { headers: { 'content-type': contentType } }).formData()
    } catch {
      throw new BadRequest('Malformed multipart body.')
    }
    const fields: Record<string, string> = {}
    let file: File | undefined
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields[name] = value
      else if (name === 'file') file = value as unknown as File
      else throw new BadRequest(`Unexpected file field '${name}'.`)
    }
    if (!file) throw new BadRequest("Missing 'file' field.")
    return { bytes: new Uint8Array(await file.arrayBuffer()), shape: 'multipart', fields, fileName: file.name }
  }
  if (contentType.startsWith('application/json')) {
    let json: Record<string, unknown>
    try {
      json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
    } catch {
      throw new BadRequest('Malformed JSON body.')
    }
    if (typeof json.fileURL !== 'string') throw new BadRequest("Missing 'fileURL'.")
    const fields = Object.fromEntries(
      Object.entries(json)
        .filter(([key]) => key !== 'fileURL')
        .map(([key, value]) => [key, String(value)])
    )
    let response
    try {
      response = await fetch(json.fileURL)
    } catch {
      throw new BadRequest(`Could not fetch fileURL ${json.fileURL}.`)
    }
    if (!response.ok) throw new BadRequest(`Could not fetch fileURL ${json.fileURL}: HTTP ${response.status}.`)
    return { bytes: new Uint8Array(await response.arrayBuffer()), shape: 'json', fields, fileURL: json.fileURL }
  }
  throw new BadRequest(`Unsupported content type '${contentType}'.`)
}

export async function startNumbersMock(options: MockOptions): Promise<NumbersMock> {
  let latencyMs = options.latencyMs ?? 0
  const queues: Record<MockEndpoint | 'any', ScriptedAnswer[]> = { nid: [], pin: [], any: [] }
  const attempts = new Map<string, number>()
  const sockets = new Set<Socket>()
  let orders = 0
  const requests: RecordedRequest[] = []

  const handle = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer,
    receivedAt: number
  ): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://mock').pathname
    const endpoint: MockEndpoint | undefined = path === '/nid' ? 'nid' : path === '/pin' ? 'pin' : undefined
    const json = (status: number, body: object, record: Partial<RecordedRequest> = {}): void => {
      if (endpoint) requests.push({ ...base, ...record, status })
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const base: RecordedRequest = {
      endpoint: endpoint ?? 'nid',
      attempt: 0,
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      contentType: req.headers['content-type'],
      shape: 'other',
      fields: {},
      status: 0,
      receivedAt
    }
    if (!endpoint) return void json(404, { detail: 'Not found.' })
    if (req.method !== 'POST') return json(405, { detail: 'Method not allowed.' })

    let received: Received | undefined
    let parseError: string | undefined
    try {
      received = await parseBody(req, raw)
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error
      parseError = error.message
    }
    const sha256 = received ? createHash('sha256').update(received.bytes).digest('hex') : undefined
    const identity = received?.fileURL ?? sha256 ?? 'unparsed'
    const key = `${endpoint}:${identity}`
    attempts.set(key, (attempts.get(key) ?? 0) + 1)
    Object.assign(base, {
      attempt: attempts.get(key),
      shape: received?.shape ?? 'other',
      fields: received?.fields ?? {},
      fileName: received?.fileName,
      fileURL: received?.fileURL,
      size: received?.bytes.length,
      sha256
    })

    const version = received?.fields.version ?? '1'
    // Hashed before the latency wait, so this work is part of the latency rather than added to it.
    const computed =
      received && (version === '0' || version === '1')
        ? await kuboCid(received.bytes, Number(version) as 0 | 1)
        : undefined
    const scripted = queues[endpoint].shift() ?? queues.any.shift()
    const label = scripted ? Object.keys(scripted).join(',') : undefined
    const wait = latencyMs - (Date.now() - base.receivedAt)
    if (wait > 0) await sleep(wait)
    if (scripted && 'delayMs' in scripted) await sleep(scripted.delayMs)
    if (scripted && 'hang' in scripted) {
      requests.push({ ...base, status: 0, scripted: label })
      return
    }
    if (scripted && 'reset' in scripted) {
      requests.push({ ...base, status: 0, scripted: label })
      req.socket.destroy()
      return
    }
    if (scripted && 'status' in scripted && !('html' in scripted) && !('empty' in scripted)) {
      requests.push({ ...base, status: scripted.status, scripted: label })
      const body =
        typeof scripted.body === 'string'
          ? scripted.body
          : JSON.stringify(scripted.body ?? { detail: 'Scripted error.' })
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers })
      res.end(body)
      return
    }
    if (scripted && 'html' in scripted) {
      const status = scripted.status ?? 502
      requests.push({ ...base, status, scripted: label })
      res.writeHead(status, { 'content-type': 'text/html' })
      res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>')
      return
    }
    if (scripted && 'empty' in scripted) {
      const status = scripted.status ?? 200
      requests.push({ ...base, status, scripted: label })
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end()
      return
    }

    if (req.headers.authorization !== `token ${options.token}`) return json(401, { detail: 'Invalid token.' })
    if (!received) return json(400, { detail: parseError ?? 'Bad request.' })
    if (computed === undefined) return json(400, { detail: `Invalid version '${version}'.` })
    const pinField = received.fields.pin ?? 'true'
    if (pinField !== 'true' && pinField !== 'false') return json(400, { detail: `Invalid pin '${pinField}'.` })

    const cidVersion = Number(version) as 0 | 1
    const cid = computed
    const pinned = endpoint === 'pin' && pinField === 'true'
    const answer: Record<string, unknown> = { cid, fileSize: received.bytes.length, cid_version: cidVersion }
    if (pinned) {
      answer.fileURL = `https://ipfs-pin.numbersprotocol.io/ipfs/${cid}`
      answer.orderID = `order-${++orders}-${randomUUID().slice(0, 8)}`
    }
    if (scripted && 'wrongCid' in scripted) answer.cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
    if (scripted && 'missing' in scripted) delete answer[scripted.missing]
    if (scripted && 'wrongTypes' in scripted) Object.assign(answer, { cid: 42, fileSize: 'big', cid_version: '1' })
    const record = { version: cidVersion, cid, orderID: answer.orderID as string | undefined, scripted: label }
    if (scripted && 'truncated' in scripted) {
      requests.push({ ...base, ...record, status: 200 })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer).slice(0, 20))
      return
    }
    json(200, answer, record)
  }

  const server = http.createServer((req, res) => {
    // The mock's own parsing and hashing fall inside the latency, as a real service's work would.
    const receivedAt = Date.now()
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks), receivedAt).catch(error => {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ detail: `Mock failure: ${String(error)}` }))
      })
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    nidUrl: `${base}/nid`,
    pinUrl: `${base}/pin`,
    requests,
    script: (endpoint, ...answers) => queues[endpoint].push(...answers),
    setLatency: ms => (latencyMs = ms),
    reset: () => {
      requests.length = 0
      attempts.clear()
      for (const queue of Object.values(queues)) queue.length = 0
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** Serves a directory's files on 127.0.0.1, as public file URLs for `file-urls`. */
export async function startFileServer(
  files: Record<string, Uint8Array | string>
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://files').pathname.slice(1))
    const body = files[name]
    if (body === undefined) {
      res.writeHead(404)
      res.end('not found')
      return
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
