/**
 * A hostile stand-in for the Numbers endpoints: a real HTTP server on 127.0.0.1 whose answers a test
 * chooses per request. It can drip an answer one byte at a time forever, echo what it was sent
 * (the token, the fileURL), answer huge or oddly typed JSON, and records every request it got.
 */
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface HostileRequest {
  method: string
  /** Path of the request, e.g. `/pin`. */
  path: string
  headers: http.IncomingHttpHeaders
  /** The raw Authorization header: what a server that echoes it echoes. */
  authorization: string
  body: Buffer
  /** The parsed body, when it was JSON (a `fileURL` request). */
  json?: Record<string, unknown>
}

export type HostileAnswer =
  /** JSON with this status (default 200); `padTo` pads it with spaces inside the object to that many bytes. */
  | { json: unknown; status?: number; padTo?: number }
  /** Any text with this status and content type (default text/plain). */
  | { text: string; status: number; contentType?: string }
  /**
   * Never finishes, but never goes quiet: `body` sends 200 headers, then one space of JSON every
   * `intervalMs`; `headers` sends the status line, then one header byte every `intervalMs`.
   */
  | { drip: 'body' | 'headers'; intervalMs?: number }

export interface HostileServer {
  /** Base URL without a trailing slash; any path is answered (`/pin`, `/nid`). */
  url: string
  requests: HostileRequest[]
  close(): Promise<void>
}

/** The contract's success JSON of Pin file to IPFS (docs/numbers-api.md), for answers to build on. */
export function pinAnswer(cid: string, fileSize: number, orderID: string): Record<string, unknown> {
  return {
    cid,
    fileSize,
    cid_version: cid.startsWith('Qm') ? 0 : 1,
    fileURL: `https://ipfs-pin.numbersprotocol.io/ipfs/${cid}`,
    orderID
  }
}

/** JSON text of `value` (an object), padded with spaces after its opening brace to `padTo` bytes. */
function paddedJson(value: unknown, padTo = 0): string {
  const text = JSON.stringify(value)
  const pad = padTo - Buffer.byteLength(text)
  return pad > 0 && text.startsWith('{') ? `{${' '.repeat(pad)}${text.slice(1)}` : text
}

export async function startHostileServer(respond: (request: HostileRequest) => HostileAnswer): Promise<HostileServer> {
  const requests: HostileRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()

  /** Writes `text` one byte per `intervalMs` to `write`, forever (until close or the peer leaves). */
  const drip = (socket: Socket, intervalMs: number, write: () => void): void => {
    const timer = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(timer)
        timers.delete(timer)
        return
      }
      write()
    }, intervalMs)
    timers.add(timer)
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    const request: HostileRequest = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://hostile').pathname,
      headers: req.headers,
      authorization: req.headers.authorization ?? '',
      body
    }
    if (String(req.headers['content-type']).startsWith('application/json')) {
      try {
        request.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      } catch {
        // Recorded as bytes only.
      }
    }
    requests.push(request)
    const answer = respond(request)
    if ('json' in answer) {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
      res.end(paddedJson(answer.json, answer.padTo))
    } else if ('text' in answer) {
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain; charset=utf-8' })
      res.end(answer.text)
    } else if (answer.drip === 'body') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{')
      drip(req.socket, answer.intervalMs ?? 1000, () => res.write(' '))
    } else {
      // Below the http module: a status line, then a header that never ends.
      req.socket.write('HTTP/1.1 200 OK\r\nx-drip: ')
      drip(req.socket, answer.intervalMs ?? 1000, () => req.socket.write('a'))
    }
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer)
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    }
  }
}
