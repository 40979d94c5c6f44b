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
import { finished } from 'node:stream/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { Agent, Response, fetch } from 'undici'
import { cidOf, type CidVersion } from './cid.js'
import { startStaticServer, type StaticServer } from './static-server.js'

export { cidOf, type CidVersion } from './cid.js'

/** Older name of `cidOf`, kept for the tests that import it from here. */
export const kuboCid: (bytes: Uint8Array, version: CidVersion) => Promise<string> = cidOf

/** In-memory file server (older entry point; see static-server.ts for the full one). */
export function startFileServer(files: Record<string, Uint8Array | string>): Promise<StaticServer> {
  return startStaticServer({ files })
}

export type MockEndpoint = 'nid' | 'pin'
export type RequestShape = 'multipart' | 'json' | 'other'

export interface RecordedRequest {
  endpoint: MockEndpoint
  /** Attempt number for the same endpoint and content (fileURL, or sha256 of the file), from 1. */
  attempt: number
  method: string
  /** The raw Authorization header, so tests can check exactly what was sent. */
  authorization?: string
  /** Whether it was exactly `token <options.token>`. */
  authorized: boolean
  userAgent?: string
  contentType?: string
  shape: RequestShape
  /** Ordinary fields (multipart fields, or the JSON keys other than fileURL), as strings. */
  fields: Record<string, string>
  /** The multipart file's name. */
  fileName?: string
  /** Bytes of the file received (multipart) or fetched (fileURL). */
  size?: number
  sha256?: string
  fileURL?: string
  /** The CID version asked for, when valid. */
  version?: CidVersion
  /** The CID the mock computed for the bytes (even when a scripted answer lied about it). */
  cid?: string
  /** True when the pin endpoint answered 200 with an orderID. */
  pinned: boolean
  /** Status answered; 0 when none was (hang, reset, or the mock closed first). */
  status: number
  orderID?: string
  /** Why a 400 was answered. */
  problem?: string
  /** The scripted answer used, as JSON. */
  scripted?: string
  /** When the request's headers arrived (ms since epoch): the latency is counted from here. */
  receivedAt: number
  answeredAt?: number
}

/** Keys of a success answer. */
export type AnswerKey = 'cid' | 'fileSize' | 'cid_version' | 'fileURL' | 'orderID'

/** A scripted answer, used once for the next matching request. */
export type ScriptedAnswer =
  /** This status and body (default `{"detail": <status text>}`), e.g. 500, 429 + Retry-After, 400, 403. */
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** Wait this long (on top of the latency), then answer normally. */
  | { delayMs: number }
  /** Never answer; the socket stays open until the client gives up or the mock closes. */
  | { hang: true }
  /** Destroy the socket without an answer, or (`midResponse`) after half of a 200 answer. */
  | { reset: true; midResponse?: boolean }
  /** A proxy's HTML error page (default status 200). */
  | { html: true; status?: number }
  /** 200 with the success JSON cut in half. */
  | { truncated: true }
  /** An empty body (default status 200) labelled application/json. */
  | { empty: true; status?: number }
  /** The success JSON with a valid CID of other content. */
  | { wrongCid: true }
  /** The success JSON without this key. */
  | { missing: AnswerKey }
  /** The success JSON with cid, fileSize and cid_version of the wrong JSON types. */
  | { wrongTypes: true }

/** Which requests a scripted answer is for. */
export interface ScriptTarget {
  endpoint?: MockEndpoint | 'any'
  /** The multipart file name, or for JSON the last segment of the fileURL's path. */
  fileName?: string
  match?: (request: RecordedRequest) => boolean
}

export interface MockOptions {
  /** The Capture Token expected in `Authorization: token <token>`. */
  token: string
  /** Time from a request's arrival to its answer (at least the mock's own work). */
  latencyMs?: number
}

export interface NumbersMock {
  /** Full URLs of the Get Nid from File and Pin file to IPFS endpoints. */
  nidUrl: string
  pinUrl: string
  /** Every request to /nid or /pin, in arrival order (once its body was read). */
  requests: RecordedRequest[]
  /** Unexpected failures of the mock itself (answered 500): a test should expect none. */
  errors: unknown[]
  /** Most requests in progress at once since start or reset(). */
  readonly maxInFlight: number
  /** Queues answers, one per matching request, in order; afterwards the mock answers normally. */
  script(target: MockEndpoint | 'any' | ScriptTarget, ...answers: ScriptedAnswer[]): void
  /** Scripted answers not used yet. */
  pending(): number
  setLatency(ms: number): void
  /** Clears the records, scripted answers and attempt counts. */
  reset(): void
  /** Closes every connection, hung ones included, and the server. */
  close(): Promise<void>
}

const GATEWAY = 'https://ipfs-pin.numbersprotocol.io/ipfs/'
/** Valid CIDs of other content (the empty file, then "hello world\n"), for `wrongCid`. */
const OTHER_CIDS: Record<CidVersion, [string, string]> = {
  0: ['QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH', 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'],
  1: [
    'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
    'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
  ]
}
const HTML_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>'
/** A JSON request carries only a URL: anything this big is not one. */
const MAX_JSON_BYTES = 1 << 20

class BadRequest extends Error {}

interface ScriptEntry extends ScriptTarget {
  answer: ScriptedAnswer
}

const shapeOf = (contentType: string): RequestShape =>
  contentType.startsWith('multipart/form-data')
    ? 'multipart'
    : contentType.startsWith('application/json')
      ? 'json'
      : 'other'

function parseVersion(value: unknown): CidVersion {
  if (value === undefined || value === 0 || value === 1) return value ?? 1
  if (value === '0' || value === '1') return Number(value) as CidVersion
  throw new BadRequest(`Invalid version ${JSON.stringify(value)}: expected 0 or 1.`)
}

function parsePin(value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? true
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw new BadRequest(`Invalid pin ${JSON.stringify(value)}: expected true or false.`)
}

/** Hashes and counts bytes on their way to the CID computation, so the file is read once. */
async function* tap(
  source: AsyncIterable<Uint8Array>,
  seen: { hash: ReturnType<typeof createHash>; size: number }
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    seen.hash.update(chunk)
    seen.size += chunk.byteLength
    yield chunk
  }
}

/** Fills size, sha256 and (for a valid version) cid of the record from the file's bytes. */
async function measure(source: AsyncIterable<Uint8Array>, record: RecordedRequest): Promise<void> {
  const seen = { hash: createHash('sha256'), size: 0 }
  const bytes = tap(source, seen)
  if (record.version !== undefined) record.cid = await cidOf(bytes, record.version)
  else for await (const chunk of bytes) void chunk
  record.size = seen.size
  record.sha256 = seen.hash.digest('hex')
}

export async function startNumbersMock(options: MockOptions): Promise<NumbersMock> {
  let latencyMs = options.latencyMs ?? 0
  let scripts: ScriptEntry[] = []
  const attempts = new Map<string, number>()
  const sockets = new Set<Socket>()
  const requests: RecordedRequest[] = []
  const errors: unknown[] = []
  // Aborted on close: ends pending waits and fileURL fetches.
  const closing = new AbortController()
  // The mock's own connections to fileURLs, destroyed on close so nothing keeps Jest alive.
  const agent = new Agent({ keepAliveTimeout: 1000 })
  let orders = 0
  let inFlight = 0
  let maxInFlight = 0

  const take = (record: RecordedRequest): ScriptedAnswer | undefined => {
    const name = record.fileName ?? (record.fileURL ? lastSegment(record.fileURL) : undefined)
    const index = scripts.findIndex(
      entry =>
        (entry.endpoint === undefined || entry.endpoint === 'any' || entry.endpoint === record.endpoint) &&
        (entry.fileName === undefined || entry.fileName === name) &&
        (entry.match === undefined || entry.match(record))
    )
    return index === -1 ? undefined : scripts.splice(index, 1)[0].answer
  }

  /** Reads and checks the body into the record; returns why it is a bad request, if it is. */
  const receive = async (req: http.IncomingMessage, record: RecordedRequest): Promise<string | undefined> => {
    try {
      if (record.shape === 'multipart') await receiveMultipart(req, record)
      else if (record.shape === 'json') await receiveJson(req, record)
      else {
        req.resume()
        await finished(req)
        throw new BadRequest(`Unsupported content type '${record.contentType ?? ''}'.`)
      }
      return undefined
    } catch (error) {
      if (error instanceof BadRequest) return error.message
      throw error
    }
  }

  const receiveMultipart = async (req: http.IncomingMessage, record: RecordedRequest): Promise<void> => {
    let form
    try {
      // undici's own multipart parser (the body is buffered once; a request is at most ~25 MB).
      form = await new Response(req, { headers: { 'content-type': record.contentType ?? '' } }).formData()
    } catch (error) {
      throw new BadRequest(`Malformed multipart body: ${(error as Error).message}`)
    }
    let file: Blob | undefined
    for (const [name, value] of form.entries()) {
      if (Object.hasOwn(record.fields, name) || (name === 'file' && file))
        throw new BadRequest(`Field '${name}' is repeated.`)
      if (typeof value === 'string') {
        if (name === 'file') throw new BadRequest("Field 'file' is not a file.")
        record.fields[name] = value
      } else if (name === 'file') {
        file = value
        record.fileName = value.name
      } else throw new BadRequest(`Unexpected file field '${name}'.`)
    }
    const problems: string[] = []
    try {
      record.version = parseVersion(record.fields.version)
      parsePin(record.fields.pin)
    } catch (error) {
      problems.push((error as Error).message)
    }
    // Measured even when the request is refused, so its attempts are still told apart.
    if (file) await measure(file.stream(), record)
    else problems.unshift("Missing the file: expected it in the multipart field 'file'.")
    if (problems.length) throw new BadRequest(problems[0])
  }

  const receiveJson = async (req: http.IncomingMessage, record: RecordedRequest): Promise<void> => {
    const chunks: Buffer[] = []
    let length = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      length += chunk.byteLength
      if (length <= MAX_JSON_BYTES) chunks.push(chunk)
    }
    if (length > MAX_JSON_BYTES) throw new BadRequest(`JSON body of ${length} bytes is too large.`)
    let json: unknown
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      throw new BadRequest('Malformed JSON body.')
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new BadRequest('The JSON body is not an object.')
    const body = json as Record<string, unknown>
    for (const [key, value] of Object.entries(body))
      if (key !== 'fileURL') record.fields[key] = typeof value === 'string' ? value : JSON.stringify(value)
    if (typeof body.fileURL !== 'string') throw new BadRequest("Missing 'fileURL'.")
    record.fileURL = body.fileURL
    // JSON carries real types: the version an integer, pin a boolean.
    if (typeof body.version === 'string') throw new BadRequest(`Invalid version "${body.version}": expected 0 or 1.`)
    if (typeof body.pin === 'string') throw new BadRequest(`Invalid pin "${body.pin}": expected true or false.`)
    record.version = parseVersion(body.version)
    parsePin(body.pin)
    let url: URL
    try {
      url = new URL(body.fileURL)
    } catch {
      throw new BadRequest(`fileURL '${body.fileURL}' is not a URL.`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new BadRequest(`fileURL '${body.fileURL}' is not an http(s) URL.`)
    // No fetching for a request that will be refused anyway.
    if (!record.authorized) return
    try {
      const response = await fetch(url, { dispatcher: agent, signal: closing.signal })
      if (!response.ok) {
        await response.body?.cancel()
        throw new BadRequest(`Could not fetch fileURL ${body.fileURL}: HTTP ${response.status}.`)
      }
      await measure(response.body ?? (async function* () {})(), record)
    } catch (error) {
      if (error instanceof BadRequest || closing.signal.aborted) throw error
      throw new BadRequest(`Could not fetch fileURL ${body.fileURL}: ${(error as Error).message}`)
    }
  }

  const handle = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    endpoint: MockEndpoint,
    receivedAt: number
  ): Promise<void> => {
    const contentType = (req.headers['content-type'] ?? '').toLowerCase()
    const record: RecordedRequest = {
      endpoint,
      attempt: 0,
      method: req.method ?? '',
      authorization: req.headers.authorization,
      authorized: req.headers.authorization === `token ${options.token}`,
      userAgent: req.headers['user-agent'],
      contentType: req.headers['content-type'],
      shape: shapeOf(contentType),
      fields: {},
      pinned: false,
      status: 0,
      receivedAt
    }
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      record.status = status
      record.answeredAt = Date.now()
      const type = body === '' || body.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8'
      res.writeHead(status, { 'content-type': type, ...headers })
      res.end(body)
    }
    const wait = async (ms: number): Promise<void> => {
      if (ms > 0) await delay(ms, undefined, { signal: closing.signal })
    }

    if (record.method !== 'POST') {
      requests.push(record)
      req.resume()
      await finished(req)
      return send(405, JSON.stringify({ detail: `Method "${record.method}" not allowed.` }), { allow: 'POST' })
    }

    record.problem = await receive(req, record)
    const identity = record.fileURL ? `url:${record.fileURL}` : record.sha256 ? `sha256:${record.sha256}` : 'none'
    const key = `${endpoint} ${identity}`
    record.attempt = (attempts.get(key) ?? 0) + 1
    attempts.set(key, record.attempt)
    requests.push(record)
    const scripted = take(record)
    if (scripted) record.scripted = JSON.stringify(scripted)

    // Counted from arrival: the mock's own parsing and hashing are part of the latency, not added to it.
    await wait(latencyMs - (Date.now() - receivedAt))
    if (!scripted) return answer(record, res, send)
    if ('delayMs' in scripted) {
      await wait(scripted.delayMs)
      return answer(record, res, send)
    }
    if ('hang' in scripted) return
    if ('reset' in scripted) {
      if (scripted.midResponse && !record.problem && record.authorized) {
        const body = successBody(record)
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) })
        res.write(body.slice(0, body.length >> 1))
        // The order was taken before the answer was lost: the case a retry may pay twice for.
        record.pinned = record.orderID !== undefined
      }
      req.socket.destroy()
      return
    }
    if ('html' in scripted) return send(scripted.status ?? 200, HTML_PAGE, { 'content-type': 'text/html' })
    if ('empty' in scripted) return send(scripted.status ?? 200, '', { 'content-type': 'application/json' })
    if ('status' in scripted) {
      const body =
        scripted.body === undefined
          ? JSON.stringify({ detail: http.STATUS_CODES[scripted.status] ?? 'Scripted answer.' })
          : typeof scripted.body === 'string'
            ? scripted.body
            : JSON.stringify(scripted.body)
      return send(scripted.status, body, scripted.headers)
    }
    // The rest alter a success answer; a request that is refused is refused as usual.
    answer(record, res, send, scripted)
  }

  /** The contract's success JSON for a well-formed request (cid first, so a truncated body shows it). */
  const successBody = (record: RecordedRequest, scripted?: ScriptedAnswer): string => {
    const version = record.version ?? 1
    const answer: Record<string, unknown> = { cid: record.cid, fileSize: record.size, cid_version: version }
    if (record.endpoint === 'pin' && parsePin(record.fields.pin)) {
      answer.fileURL = `${GATEWAY}${record.cid}`
      if (!record.orderID) record.orderID = `order-${++orders}-${randomUUID().slice(0, 8)}`
      answer.orderID = record.orderID
    }
    if (scripted && 'wrongCid' in scripted) {
      const [first, second] = OTHER_CIDS[version]
      answer.cid = record.cid === first ? second : first
      if ('fileURL' in answer) answer.fileURL = `${GATEWAY}${answer.cid}`
    }
    if (scripted && 'missing' in scripted) delete answer[scripted.missing]
    if (scripted && 'wrongTypes' in scripted)
      Object.assign(answer, { cid: 42, fileSize: String(record.size), cid_version: String(version) })
    return JSON.stringify(answer)
  }

  const answer = (
    record: RecordedRequest,
    res: http.ServerResponse,
    send: (status: number, body: string, headers?: Record<string, string>) => void,
    scripted?: ScriptedAnswer
  ): void => {
    if (!record.authorized) return send(401, JSON.stringify({ detail: 'Invalid token.' }))
    if (record.problem) return send(400, JSON.stringify({ detail: record.problem }))
    const body = successBody(record, scripted)
    record.pinned = record.orderID !== undefined && !(scripted && 'missing' in scripted)
    if (scripted && 'truncated' in scripted) {
      const cut = body.slice(0, body.length >> 1)
      record.status = 200
      record.answeredAt = Date.now()
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(cut)) })
      res.end(cut)
      return
    }
    send(200, body)
  }

  const server = http.createServer((req, res) => {
    const receivedAt = Date.now()
    const path = new URL(req.url ?? '/', 'http://mock').pathname
    const endpoint: MockEndpoint | undefined = path === '/nid' ? 'nid' : path === '/pin' ? 'pin' : undefined
    if (!endpoint) {
      req.resume()
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ detail: 'Not found.' }))
      return
    }
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    res.once('close', () => inFlight--)
    handle(req, res, endpoint, receivedAt).catch((error: unknown) => {
      if (closing.signal.aborted) return
      errors.push(error)
      if (res.headersSent) return void res.destroy()
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ detail: `Mock failure: ${String(error)}` }))
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    nidUrl: `${base}/nid`,
    pinUrl: `${base}/pin`,
    requests,
    errors,
    get maxInFlight() {
      return maxInFlight
    },
    script: (target, ...answers) => {
      const where = typeof target === 'string' ? { endpoint: target } : target
      scripts.push(...answers.map(scripted => ({ ...where, answer: scripted })))
    },
    pending: () => scripts.length,
    setLatency: ms => {
      latencyMs = ms
    },
    reset: () => {
      requests.length = 0
      errors.length = 0
      scripts = []
      attempts.clear()
      maxInFlight = inFlight
    },
    close: async () => {
      closing.abort()
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
      await Promise.all([closed, agent.destroy()])
    }
  }
}

function lastSegment(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '')
  } catch {
    return undefined
  }
}
