/**
 * A stand-in for the few GitHub REST endpoints the action calls (issue comments and releases), on
 * 127.0.0.1. It keeps state, so a second run sees the comment the first one made, and can be told
 * to refuse writes as GitHub does for a fork's read-only token.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GitHubRequest {
  method: string
  path: string
  authorization?: string
  body?: Record<string, unknown>
}

interface Comment {
  id: number
  body: string
}

export interface GitHubMock {
  url: string
  requests: GitHubRequest[]
  comments: Map<number, Comment[]>
  releases: Map<number, string>
  /** Answer every write (POST/PATCH) with this status, e.g. 403. */
  denyWrites?: number
  close(): Promise<void>
}

export async function startGitHubMock(): Promise<GitHubMock> {
  let nextId = 1000
  const mock: GitHubMock = {
    url: '',
    requests: [],
    comments: new Map(),
    releases: new Map(),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', chunk => (raw += chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined
      mock.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        authorization: req.headers.authorization,
        body
      })
      if (mock.denyWrites && req.method !== 'GET') {
        send(res, mock.denyWrites, { message: 'Resource not accessible by integration' })
        return
      }
      let match: RegExpExecArray | null
      if ((match = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
        const issue = Number(match[1])
        const list = mock.comments.get(issue) ?? []
        if (req.method === 'GET') return send(res, 200, list)
        const comment = { id: nextId++, body: String(body?.body) }
        mock.comments.set(issue, [...list, comment])
        return send(res, 201, comment)
      }
      if ((match = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
        const id = Number(match[1])
        for (const list of mock.comments.values()) {
          const comment = list.find(c => c.id === id)
          if (comment) {
            comment.body = String(body?.body)
            return send(res, 200, comment)
          }
        }
        return send(res, 404, { message: 'Not Found' })
      }
      if ((match = /^\/repos\/[^/]+\/[^/]+\/releases\/(\d+)$/.exec(url.pathname))) {
        const id = Number(match[1])
        if (!mock.releases.has(id)) return send(res, 404, { message: 'Not Found' })
        if (req.method === 'PATCH') mock.releases.set(id, String(body?.body))
        return send(res, 200, { id, body: mock.releases.get(id) })
      }
      send(res, 404, { message: 'Not Found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return mock
}
