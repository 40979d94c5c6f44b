/**
 * The Numbers APIs as a real HTTP server on 127.0.0.1, for integration tests and `npm run mock`: the
 * four endpoints of docs/numbers-api.md (Get Nid from File, Pin file to IPFS, Unpin, Check Nid on
 * IPFS) and the IPFS gateway that serves what was pinned. It checks what it receives as the contract
 * says, computes CIDs with the importer (independently of the action's own code), answers fresh
 * `orderID`s, records every request, and can be scripted to fail the ways a proxy in front of a
 * serverless function, or a gateway, does.
 *
 * The gateway is a trustless one (`GET` or `HEAD /ipfs/<cid>`): it serves every block of what was
 * pinned or registered, the root and the blocks below it, as the raw block (`?format=raw` or Accept
 * `application/vnd.ipld.raw`), a CARv1 of the DAG below it (`?format=car` or Accept
 * `application/vnd.ipld.car`: depth first, parents first, each block once, or each time it is linked
 * when the Accept header asks `dups=y`; the Content-Type says which), or the file's bytes. Scripted
 * per Nid it answers a status (404, 410, 500, a redirect with `headers`), wrong bytes, a wrong or
 * missing block inside a CAR, a CAR with its children first (declared `order=unk`, or falsely
 * `order=dfs`), a slow drip, or the file whatever format was asked.
 */
import { createHash, randomUUID } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { finished } from 'node:stream/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { Agent, Response, fetch } from 'undici'
import { cidOf, dagOf, type CidVersion, type Dag } from './cid.js'
import { GatewayContent, canonicalCid, corrupt, type Block } from './gateway-content.js'

export type UploadEndpoint = 'nid' | 'pin'
export type NidEndpoint = 'unpin' | 'check'
export type MockEndpoint = UploadEndpoint | NidEndpoint | 'gateway'
export type RequestShape = 'multipart' | 'json' | 'other'
export type GatewayFormat = 'raw' | 'car' | 'file'

/** What every record has: how it was answered. */
interface Answered {
  /** Status answered; 0 when none was (hang, reset, or the mock closed first). */
  status: number
  /** The scripted answer used, as JSON. */
  scripted?: string
  /** When the request's headers arrived (ms since epoch): the latency is counted from here. */
  receivedAt: number
  answeredAt?: number
}

/** A request to Get Nid from File or Pin file to IPFS. */
export interface UploadRequest extends Answered {
  endpoint: UploadEndpoint
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
  orderID?: string
  /** Why a 400 was answered. */
  problem?: string
}

/** A request to Unpin or Check Nid on IPFS. */
export interface NidRequest extends Answered {
  endpoint: NidEndpoint
  method: string
  authorization?: string
  authorized: boolean
  contentType?: string
  /** The body's `nid`, as sent. */
  nid?: string
  /** Unpin: whether the mock had it pinned before this call (the answer is the same either way). */
  wasPinned?: boolean
  /** Why a 400 was answered. */
  problem?: string
}

/** A request to the gateway, `GET /ipfs/<cid>`. */
export interface GatewayRequest extends Answered {
  endpoint: 'gateway'
  method: string
  /** The URL's path and query, as requested. */
  url: string
  /** The CID of the path, as requested. */
  cid?: string
  accept?: string
  /** What was asked for: `?format=` first, then the Accept header; 'file' for the plain bytes. */
  format?: GatewayFormat
  /** The Content-Type answered. */
  contentType?: string
}

export type MockRequest = UploadRequest | NidRequest | GatewayRequest

/** Keys of a success answer. */
export type AnswerKey = 'cid' | 'fileSize' | 'cid_version' | 'fileURL' | 'orderID'

/** A scripted answer, used once for the next matching request. */
export type ScriptedAnswer =
  /** This status and body (default `{"detail": <status text>}`), e.g. 500, 429 + Retry-After, 400, 403, 404, 410. */
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** Wait this long (on top of the latency), then answer normally. */
  | { delayMs: number }
  /** Never answer; the socket stays open until the client gives up or the mock closes. */
  | { hang: true }
  /** Destroy the socket without an answer, or (`midResponse`) after half of a successful answer. */
  | { reset: true; midResponse?: boolean }
  /** A proxy's HTML error page (default status 200). */
  | { html: true; status?: number }
  /** A successful answer cut in half. */
  | { truncated: true }
  /** An empty body (default status 200) labelled application/json. */
  | { empty: true; status?: number }
  /** Uploads: the success JSON with a valid CID of other content. */
  | { wrongCid: true }
  /** Uploads: the success JSON without this key. */
  | { missing: AnswerKey }
  /** Uploads: the success JSON with cid, fileSize and cid_version of the wrong JSON types. */
  | { wrongTypes: true }
  /** Gateway: the payload with a byte changed (the file, the raw block, or in a CAR the root block). */
  | { wrongBytes: true }
  /** Gateway, CAR: the DAG's last block with a byte changed, still under its own CID. */
  | { wrongBlock: true }
  /** Gateway, CAR: the DAG's last block left out, the CAR ending cleanly before it (a CAR cut short). */
  | { missingBlock: true }
  /** Gateway, CAR: every child before its parent, the Content-Type saying `order=unk` or, falsely, `order=dfs`. */
  | { childrenFirst: 'unk' | 'dfs' }
  /** Gateway: the body a few bytes at a time (`bytes`, default 16), one piece every `everyMs`. */
  | { drip: { everyMs: number; bytes?: number } }
  /** Gateway: the file's bytes as `application/octet-stream` whatever was asked, as a gateway that is not trustless. */
  | { ignoreFormat: true }

/** Scripted answers that only make sense for some endpoints; the rest apply to every endpoint. */
const ONLY_FOR: Record<string, readonly MockEndpoint[]> = {
  wrongCid: ['nid', 'pin'],
  missing: ['nid', 'pin'],
  wrongTypes: ['nid', 'pin'],
  wrongBytes: ['gateway'],
  wrongBlock: ['gateway'],
  missingBlock: ['gateway'],
  childrenFirst: ['gateway'],
  drip: ['gateway'],
  ignoreFormat: ['gateway']
}

const appliesTo = (answer: ScriptedAnswer, endpoint: MockEndpoint): boolean =>
  Object.keys(answer).every(key => ONLY_FOR[key]?.includes(endpoint) ?? true)

/** Which requests a scripted answer is for. */
export interface ScriptTarget {
  endpoint?: MockEndpoint | 'any'
  /** Uploads: the multipart file name, or for JSON the last segment of the fileURL's path. */
  fileName?: string
  /** Unpin, Check and the gateway: the Nid asked about (any spelling of the same CID). */
  nid?: string
  match?: (request: MockRequest) => boolean
}

export interface MockOptions {
  /** The Capture Token expected in `Authorization: token <token>`. */
  token: string
  /** Time from a request's arrival to its answer (at least the mock's own work); not for the gateway. */
  latencyMs?: number
  /** Port on 127.0.0.1; any free one when absent. */
  port?: number
  /** Told one line per answered (or abandoned) request: method, path, status. */
  log?: (line: string) => void
}

/** The URLs of the mock's endpoints, as the action's inputs take them. */
export interface MockUrls {
  /** Get Nid from File (`nid-api-url`). */
  nid: string
  /** Pin file to IPFS (`pin-api-url`). */
  pin: string
  /** Unpin Nid/Cid from IPFS (`unpin-api-url`). */
  unpin: string
  /** Check Nid/Cid on IPFS. */
  check: string
  /** The gateway's prefix, ending in `/ipfs/` (`gateway-url`). */
  gateway: string
}

export interface NumbersMock {
  urls: MockUrls
  /** Every request to Get Nid or Pin, in arrival order (once its body was read). */
  requests: UploadRequest[]
  /** Every request to Unpin or Check, in arrival order (once its body was read). */
  nidRequests: NidRequest[]
  /** Every request to the gateway, in arrival order. */
  gatewayRequests: GatewayRequest[]
  /** Unexpected failures of the mock itself (answered 500): a test should expect none. */
  errors: unknown[]
  /** Most uploads in progress at once since start or reset(). */
  readonly maxInFlight: number
  /**
   * Queues answers, one per matching request, in order; afterwards the mock answers normally.
   * Throws for an answer that cannot apply to the named endpoint (`wrongCid` for the gateway, say).
   */
  script(target: MockEndpoint | 'any' | ScriptTarget, ...answers: ScriptedAnswer[]): void
  /** Scripted answers not used yet. */
  pending(): number
  /** Puts content on the gateway as if someone else had pinned it (Unpin leaves it there); returns its CID. */
  register(bytes: Uint8Array, version?: CidVersion): Promise<string>
  /** The Nids pinned through the mock and not unpinned since. */
  pinnedNids(): string[]
  setLatency(ms: number): void
  /** Forgets everything: records, scripted answers, attempt counts, pinned and registered content. */
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
/** A JSON request carries only a URL or a Nid: anything this big is not one. */
const MAX_JSON_BYTES = 1 << 20
const RAW_TYPE = 'application/vnd.ipld.raw'
const FILE_TYPE = 'application/octet-stream'
const CAR_TYPE = 'application/vnd.ipld.car'

/** A CAR's Content-Type, as a trustless gateway labels it: the order and duplicates it was sent with. */
const carType = (order: 'dfs' | 'unk', dups: boolean): string =>
  `${CAR_TYPE}; version=1; order=${order}; dups=${dups ? 'y' : 'n'}`

class BadRequest extends Error {}

interface ScriptEntry extends ScriptTarget {
  answer: ScriptedAnswer
}

/** An answer before scripted faults alter it; `ok` marks a success, the only kind faults alter. */
interface Reply {
  status: number
  body: string | Uint8Array
  headers?: Record<string, string>
  ok?: boolean
}

/** JSON, or plain text for a body that is not JSON (a scripted one). */
function textReply(status: number, body: string | object, headers: Record<string, string> = {}): Reply {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const type = text === '' || text.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8'
  return { status, body: text, headers: { 'content-type': type, ...headers } }
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

/** Reads a JSON object body (at most MAX_JSON_BYTES), or throws BadRequest saying what is wrong. */
async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
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
  return json as Record<string, unknown>
}

/** Reads the body into the record; returns why it is a bad request, if it is. */
async function problemOf(read: () => Promise<void>): Promise<string | undefined> {
  try {
    await read()
    return undefined
  } catch (error) {
    if (error instanceof BadRequest) return error.message
    throw error
  }
}

async function drain(req: http.IncomingMessage): Promise<void> {
  req.resume()
  await finished(req)
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

/**
 * Fills size, sha256 and (for a valid version) cid of the record from the file's bytes; for the pin
 * endpoint, returns the DAG too, for the gateway to serve once the pin is answered.
 */
async function measure(source: AsyncIterable<Uint8Array>, record: UploadRequest): Promise<Dag | undefined> {
  const seen = { hash: createHash('sha256'), size: 0 }
  const bytes = tap(source, seen)
  let dag: Dag | undefined
  if (record.version === undefined) for await (const chunk of bytes) void chunk
  else if (record.endpoint === 'pin') {
    dag = await dagOf(bytes, record.version)
    record.cid = dag.root.toString()
  } else record.cid = await cidOf(bytes, record.version)
  record.size = seen.size
  record.sha256 = seen.hash.digest('hex')
  return dag
}

/** What a gateway request asks for: `?format=` first, then the Accept header. */
function formatOf(url: URL, accept: string): GatewayFormat {
  const format = url.searchParams.get('format')
  if (format === 'raw' || format === 'car') return format
  if (format !== null) throw new BadRequest(`Unsupported format '${format}': expected raw or car.`)
  if (accept.includes(RAW_TYPE)) return 'raw'
  if (accept.includes(CAR_TYPE)) return 'car'
  return 'file'
}

/** Whether the Accept header's CAR asks for `dups=y` (a block sent again each time it is linked). */
function acceptsDups(accept: string): boolean {
  const car = accept.split(',').find(type => type.trim().toLowerCase().startsWith(CAR_TYPE))
  return car?.split(';').some(param => param.replace(/\s/g, '').toLowerCase() === 'dups=y') ?? false
}

export async function startNumbersMock(options: MockOptions): Promise<NumbersMock> {
  let latencyMs = options.latencyMs ?? 0
  let scripts: ScriptEntry[] = []
  const attempts = new Map<string, number>()
  const sockets = new Set<Socket>()
  const requests: UploadRequest[] = []
  const nidRequests: NidRequest[] = []
  const gatewayRequests: GatewayRequest[] = []
  const errors: unknown[] = []
  const content = new GatewayContent()
  // The DAG of each pin request's bytes, served once the pin is answered.
  const dags = new WeakMap<UploadRequest, Dag>()
  // Aborted on close: ends pending waits and fileURL fetches.
  const closing = new AbortController()
  // The mock's own connections to fileURLs, destroyed on close so nothing keeps Jest alive.
  const agent = new Agent({ keepAliveTimeout: 1000 })
  let orders = 0
  let inFlight = 0
  let maxInFlight = 0

  const isAuthorized = (req: http.IncomingMessage): boolean => req.headers.authorization === `token ${options.token}`

  const take = (request: MockRequest, names: { fileName?: string; nid?: string }): ScriptedAnswer | undefined => {
    const index = scripts.findIndex(
      entry =>
        (entry.endpoint === undefined || entry.endpoint === 'any' || entry.endpoint === request.endpoint) &&
        appliesTo(entry.answer, request.endpoint) &&
        (entry.fileName === undefined || entry.fileName === names.fileName) &&
        (entry.nid === undefined || entry.nid === names.nid) &&
        (entry.match === undefined || entry.match(request))
    )
    if (index === -1) return undefined
    const { answer } = scripts.splice(index, 1)[0]
    request.scripted = JSON.stringify(answer)
    return answer
  }

  const wait = async (ms: number): Promise<void> => {
    if (ms > 0) await delay(ms, undefined, { signal: closing.signal })
  }

  /** Waits out what is left of the latency, counted from arrival: the mock's own work is part of it. */
  const latency = (record: Answered): Promise<void> => wait(latencyMs - (Date.now() - record.receivedAt))

  /** Answers `normal()`, or what the scripted answer makes of it. */
  const respond = async (
    res: http.ServerResponse,
    record: Answered,
    scripted: ScriptedAnswer | undefined,
    normal: () => Reply | Promise<Reply>,
    headOnly = false
  ): Promise<void> => {
    if (scripted && 'delayMs' in scripted) await wait(scripted.delayMs)
    if (scripted && 'hang' in scripted) return
    if (scripted && 'reset' in scripted && !scripted.midResponse) return void res.socket?.destroy()
    let reply: Reply
    if (scripted && 'html' in scripted)
      reply = { status: scripted.status ?? 200, body: HTML_PAGE, headers: { 'content-type': 'text/html' } }
    else if (scripted && 'empty' in scripted)
      reply = { status: scripted.status ?? 200, body: '', headers: { 'content-type': 'application/json' } }
    else if (scripted && 'status' in scripted)
      reply = textReply(
        scripted.status,
        scripted.body ?? { detail: http.STATUS_CODES[scripted.status] ?? 'Scripted answer.' },
        scripted.headers
      )
    else reply = await normal()

    const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body
    // Faults that alter an answer alter only a success; a refused request is refused as usual.
    const alter = reply.ok ? scripted : undefined
    if (scripted && 'reset' in scripted) {
      // The order, if any, was taken before the answer was lost: the case a retry may pay twice for.
      if (alter) {
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.byteLength) })
        res.write(body.subarray(0, body.byteLength >> 1))
      }
      return void res.socket?.destroy()
    }
    const sent = alter && 'truncated' in alter ? body.subarray(0, body.byteLength >> 1) : body
    record.status = reply.status
    record.answeredAt = Date.now()
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(sent.byteLength) })
    if (headOnly) return void res.end()
    if (alter && 'drip' in alter) {
      const size = Math.max(1, alter.drip.bytes ?? 16)
      for (let start = 0; start < sent.byteLength && !res.destroyed; start += size) {
        if (start > 0) await wait(alter.drip.everyMs)
        res.write(sent.subarray(start, start + size))
      }
    }
    res.end(alter && 'drip' in alter ? undefined : sent)
  }

  // ── Get Nid from File and Pin file to IPFS ────────────────────────────────────────────────────

  const receiveMultipart = async (req: http.IncomingMessage, record: UploadRequest): Promise<void> => {
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
    if (file) keepDag(record, await measure(file.stream(), record))
    else problems.unshift("Missing the file: expected it in the multipart field 'file'.")
    if (problems.length) throw new BadRequest(problems[0])
  }

  const receiveJson = async (req: http.IncomingMessage, record: UploadRequest): Promise<void> => {
    const body = await readJsonObject(req)
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
      keepDag(record, await measure(response.body ?? (async function* () {})(), record))
    } catch (error) {
      if (error instanceof BadRequest || closing.signal.aborted) throw error
      throw new BadRequest(`Could not fetch fileURL ${body.fileURL}: ${(error as Error).message}`)
    }
  }

  const keepDag = (record: UploadRequest, dag: Dag | undefined): void => {
    if (dag) dags.set(record, dag)
  }

  const receiveUpload = (req: http.IncomingMessage, record: UploadRequest): Promise<void> => {
    if (record.shape === 'multipart') return receiveMultipart(req, record)
    if (record.shape === 'json') return receiveJson(req, record)
    return drain(req).then(() => {
      throw new BadRequest(`Unsupported content type '${record.contentType ?? ''}'.`)
    })
  }

  /** The contract's success JSON for a well-formed request (cid first, so a truncated body shows it). */
  const successBody = (record: UploadRequest, scripted?: ScriptedAnswer): string => {
    const version = record.version ?? 1
    const answer: Record<string, unknown> = { cid: record.cid, fileSize: record.size, cid_version: version }
    if (record.endpoint === 'pin' && parsePin(record.fields.pin)) {
      answer.fileURL = `${GATEWAY}${record.cid}`
      if (!record.orderID) {
        record.orderID = `order-${++orders}-${randomUUID().slice(0, 8)}`
        // Once an order is taken the content is pinned, even if the answer is then lost.
        const dag = dags.get(record)
        if (dag) content.pin(dag)
      }
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

  const uploadReply = (record: UploadRequest, scripted?: ScriptedAnswer): Reply => {
    if (!record.authorized) return textReply(401, { detail: 'Invalid token.' })
    if (record.problem) return textReply(400, { detail: record.problem })
    const body = successBody(record, scripted)
    record.pinned = record.orderID !== undefined && !(scripted && 'missing' in scripted)
    return { ...textReply(200, body), ok: true }
  }

  const handleUpload = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    endpoint: UploadEndpoint,
    receivedAt: number
  ): Promise<void> => {
    const contentType = (req.headers['content-type'] ?? '').toLowerCase()
    const record: UploadRequest = {
      endpoint,
      attempt: 0,
      method: req.method ?? '',
      authorization: req.headers.authorization,
      authorized: isAuthorized(req),
      userAgent: req.headers['user-agent'],
      contentType: req.headers['content-type'],
      shape: shapeOf(contentType),
      fields: {},
      pinned: false,
      status: 0,
      receivedAt
    }
    if (record.method !== 'POST') {
      requests.push(record)
      await drain(req)
      return respond(res, record, undefined, () => notPost(record.method))
    }
    record.problem = await problemOf(() => receiveUpload(req, record))
    const identity = record.fileURL ? `url:${record.fileURL}` : record.sha256 ? `sha256:${record.sha256}` : 'none'
    const key = `${endpoint} ${identity}`
    record.attempt = (attempts.get(key) ?? 0) + 1
    attempts.set(key, record.attempt)
    requests.push(record)
    const fileName = record.fileName ?? (record.fileURL ? lastSegment(record.fileURL) : undefined)
    const scripted = take(record, { fileName })
    await latency(record)
    await respond(res, record, scripted, () => uploadReply(record, scripted))
  }

  // ── Unpin and Check Nid on IPFS ──────────────────────────────────────────────────────────────

  const receiveNid = async (req: http.IncomingMessage, record: NidRequest): Promise<void> => {
    if (!(record.contentType ?? '').toLowerCase().startsWith('application/json')) {
      await drain(req)
      throw new BadRequest(`Unsupported content type '${record.contentType ?? ''}': expected application/json.`)
    }
    const body = await readJsonObject(req)
    if (typeof body.nid !== 'string') throw new BadRequest("Missing 'nid': expected a string.")
    record.nid = body.nid
    if (canonicalCid(body.nid) === undefined) throw new BadRequest(`Invalid nid '${body.nid}': not a CID.`)
  }

  const nidReply = (record: NidRequest): Reply => {
    if (!record.authorized) return textReply(401, { detail: 'Invalid token.' })
    if (record.problem || record.nid === undefined) return textReply(400, { detail: record.problem })
    const nid = canonicalCid(record.nid) as string
    if (record.endpoint === 'check')
      return { ...textReply(200, { nid: record.nid, on_ipfs: content.serves(nid) }), ok: true }
    // The contract's 200 does not say whether it was pinned: the record does.
    record.wasPinned = content.unpin(nid)
    return { ...textReply(200, { result: true }), ok: true }
  }

  const handleNid = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    endpoint: NidEndpoint,
    receivedAt: number
  ): Promise<void> => {
    const record: NidRequest = {
      endpoint,
      method: req.method ?? '',
      authorization: req.headers.authorization,
      authorized: isAuthorized(req),
      contentType: req.headers['content-type'],
      status: 0,
      receivedAt
    }
    if (record.method !== 'POST') {
      nidRequests.push(record)
      await drain(req)
      return respond(res, record, undefined, () => notPost(record.method))
    }
    record.problem = await problemOf(() => receiveNid(req, record))
    nidRequests.push(record)
    const scripted = take(record, { nid: record.nid === undefined ? undefined : canonicalCid(record.nid) })
    await latency(record)
    await respond(res, record, scripted, () => nidReply(record))
  }

  // ── The gateway ──────────────────────────────────────────────────────────────────────────────

  const gatewayReply = async (record: GatewayRequest, url: URL, scripted?: ScriptedAnswer): Promise<Reply> => {
    if (record.method !== 'GET' && record.method !== 'HEAD')
      return textReply(405, `Method ${record.method} not allowed.`, { allow: 'GET, HEAD' })
    let format: GatewayFormat
    try {
      format = formatOf(url, record.accept ?? '')
    } catch (error) {
      return textReply(400, (error as Error).message)
    }
    record.format = format
    const cid = record.cid === undefined ? undefined : canonicalCid(record.cid)
    if (cid === undefined) return textReply(400, `Invalid path '${url.pathname}': expected /ipfs/<cid>.`)
    if (!content.servesBlock(cid)) return textReply(404, `${cid} is not on this gateway.`)
    if (scripted && 'ignoreFormat' in scripted) format = 'file'
    const wrongBytes = scripted !== undefined && 'wrongBytes' in scripted
    let body: Uint8Array
    let type: string
    if (format === 'raw') [body, type] = [content.rawBlock(cid), RAW_TYPE]
    else if (format === 'file') [body, type] = [content.fileBytes(cid), FILE_TYPE]
    else {
      const dups = acceptsDups(record.accept ?? '')
      const childrenFirst = scripted && 'childrenFirst' in scripted ? scripted.childrenFirst : undefined
      type = carType(childrenFirst ?? 'dfs', dups)
      body = await content.car(cid, { order: childrenFirst ? 'children-first' : 'dfs', dups }, blocks => {
        if (scripted && 'missingBlock' in scripted) return blocks.slice(0, -1)
        const at = wrongBytes ? 0 : scripted && 'wrongBlock' in scripted ? blocks.length - 1 : -1
        return blocks.map((block, i): Block => (i === at ? { cid: block.cid, bytes: corrupt(block.bytes) } : block))
      })
    }
    if (wrongBytes && format !== 'car') body = corrupt(body)
    record.contentType = type
    return { status: 200, body, headers: { 'content-type': type }, ok: true }
  }

  const handleGateway = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    receivedAt: number
  ): Promise<void> => {
    const record: GatewayRequest = {
      endpoint: 'gateway',
      method: req.method ?? '',
      url: req.url ?? '',
      accept: req.headers.accept,
      status: 0,
      receivedAt
    }
    const segments = url.pathname.split('/')
    if (segments.length === 3) {
      try {
        record.cid = decodeURIComponent(segments[2])
      } catch {
        // Not a CID either: answered 400 below.
      }
    }
    gatewayRequests.push(record)
    await drain(req)
    const scripted = take(record, { nid: record.cid === undefined ? undefined : canonicalCid(record.cid) })
    await respond(res, record, scripted, () => gatewayReply(record, url, scripted), record.method === 'HEAD')
  }

  const notPost = (method: string): Reply =>
    textReply(405, { detail: `Method "${method}" not allowed.` }, { allow: 'POST' })

  const route = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    receivedAt: number
  ): Promise<void> | undefined => {
    const path = url.pathname
    if (path === '/nid' || path === '/pin') {
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      res.once('close', () => inFlight--)
      return handleUpload(req, res, path === '/nid' ? 'nid' : 'pin', receivedAt)
    }
    if (path === '/unpin' || path === '/check')
      return handleNid(req, res, path === '/unpin' ? 'unpin' : 'check', receivedAt)
    if (path.startsWith('/ipfs/')) return handleGateway(req, res, url, receivedAt)
    return undefined
  }

  const server = http.createServer((req, res) => {
    const receivedAt = Date.now()
    const url = new URL(req.url ?? '/', 'http://mock')
    if (options.log)
      res.once('close', () =>
        options.log?.(`${req.method} ${url.pathname} → ${res.writableFinished ? res.statusCode : 'no answer'}`)
      )
    const handled = route(req, res, url, receivedAt)
    if (!handled) {
      req.resume()
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ detail: 'Not found.' }))
      return
    }
    handled.catch((error: unknown) => {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    urls: {
      nid: `${base}/nid`,
      pin: `${base}/pin`,
      unpin: `${base}/unpin`,
      check: `${base}/check`,
      gateway: `${base}/ipfs/`
    },
    requests,
    nidRequests,
    gatewayRequests,
    errors,
    get maxInFlight() {
      return maxInFlight
    },
    script: (target, ...answers) => {
      const where: ScriptTarget = typeof target === 'string' ? { endpoint: target } : { ...target }
      if (where.nid !== undefined) where.nid = canonicalCid(where.nid) ?? where.nid
      const endpoint = where.endpoint
      for (const answer of answers)
        if (endpoint !== undefined && endpoint !== 'any' && !appliesTo(answer, endpoint))
          throw new Error(`Scripted answer ${JSON.stringify(answer)} does not apply to the ${endpoint} endpoint.`)
      scripts.push(...answers.map(answer => ({ ...where, answer })))
    },
    pending: () => scripts.length,
    register: async (bytes, version = 1) => {
      const dag = await dagOf(bytes, version)
      content.register(dag)
      return dag.root.toString()
    },
    pinnedNids: () => content.pinnedRoots(),
    setLatency: ms => {
      latencyMs = ms
    },
    reset: () => {
      requests.length = 0
      nidRequests.length = 0
      gatewayRequests.length = 0
      errors.length = 0
      scripts = []
      attempts.clear()
      content.clear()
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
