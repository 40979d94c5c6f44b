/**
 * A tiny static file server on 127.0.0.1, standing in for the public file URLs that the action
 * (`file-urls`) and the Numbers mock (JSON `fileURL`) fetch.
 */
import { createReadStream, promises as fs } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { pipeline } from 'node:stream/promises'

export interface StaticServerOptions {
  /** Files served from memory, by path relative to the root (`'dist/a.bin'`); checked before `dir`. */
  files?: Record<string, Uint8Array | string>
  /** A directory whose files are served, streamed from disk. */
  dir?: string
  /** Per-path status overrides (`{ 'gone.bin': 404 }`): answered instead of the file. */
  status?: Record<string, number>
}

export interface ServedRequest {
  method: string
  /** Path relative to the root, decoded, without the leading slash. */
  path: string
  status: number
}

export interface StaticServer {
  /** Base URL without a trailing slash: `http://127.0.0.1:<port>`. */
  url: string
  /** The URL of a path relative to the root, each segment percent-encoded. */
  urlOf(name: string): string
  /** Serves (or, with `undefined`, stops serving) an in-memory file. */
  setFile(name: string, body: Uint8Array | string | undefined): void
  /** Answers `status` for this path instead of the file (`undefined` removes the override). */
  setStatus(name: string, status: number | undefined): void
  requests: ServedRequest[]
  close(): Promise<void>
}

const strip = (name: string): string => name.replace(/^\/+/, '')

export async function startStaticServer(options: StaticServerOptions = {}): Promise<StaticServer> {
  const files = new Map(Object.entries(options.files ?? {}).map(([name, body]) => [strip(name), body]))
  const overrides = new Map(Object.entries(options.status ?? {}).map(([name, status]) => [strip(name), status]))
  const root = options.dir === undefined ? undefined : path.resolve(options.dir)
  const requests: ServedRequest[] = []

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let name: string
    try {
      name = decodeURIComponent(new URL(req.url ?? '/', 'http://files').pathname).slice(1)
    } catch {
      name = ''
    }
    const method = req.method ?? 'GET'
    const answer = (status: number, text: string): void => {
      requests.push({ method, path: name, status })
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(method === 'HEAD' ? undefined : text)
    }
    if (method !== 'GET' && method !== 'HEAD') return answer(405, 'method not allowed')
    const override = overrides.get(name)
    if (override !== undefined) return answer(override, `HTTP ${override}`)

    const body = files.get(name)
    if (body !== undefined) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body
      requests.push({ method, path: name, status: 200 })
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength })
      res.end(method === 'HEAD' ? undefined : bytes)
      return
    }
    if (root === undefined || name === '') return answer(404, 'not found')
    const file = path.resolve(root, name)
    // No escaping the served directory with `..`.
    if (path.relative(root, file).startsWith('..')) return answer(404, 'not found')
    const stat = await fs.stat(file).catch(() => undefined)
    if (!stat?.isFile()) return answer(404, 'not found')
    requests.push({ method, path: name, status: 200 })
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stat.size })
    if (method === 'HEAD') return void res.end()
    // Streamed, so serving a large file costs no more memory than a small one.
    await pipeline(createReadStream(file), res)
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch(() => res.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    urlOf: name => `${url}/${strip(name).split('/').map(encodeURIComponent).join('/')}`,
    setFile: (name, body) => (body === undefined ? files.delete(strip(name)) : files.set(strip(name), body)),
    setStatus: (name, status) =>
      status === undefined ? overrides.delete(strip(name)) : overrides.set(strip(name), status),
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
