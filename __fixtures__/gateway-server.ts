/**
 * A small trustless IPFS gateway on 127.0.0.1 (`GET /ipfs/<cid>?format=raw|car`), with faults to
 * order per Nid. Its blocks come from ipfs-unixfs-importer with Kubo's defaults (__fixtures__/cid.ts)
 * and its CARs from @ipld/car's writer: independent of the action's src/, so the action's checks are
 * tested against what IPFS itself makes.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { CarWriter } from '@ipld/car/writer'
import * as dagPb from '@ipld/dag-pb'
import { importBytes } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { kuboOptions, type CidVersion } from './cid.js'

export type GatewayFault =
  /** 404 for every request of the Nid. */
  | 'missing'
  /** 410 Gone. */
  | 'gone'
  /** 500 (with `Retry-After: 0`, so retries are quick) to every request. */
  | 'error-500'
  /** The raw root block with one byte changed. */
  | 'corrupt-raw'
  /** A CAR in which one leaf carries another leaf's bytes. */
  | 'wrong-car-block'
  /** A CAR that stops, cleanly, before its last block. */
  | 'truncated-car'
  /** A CAR with every child before its parent, declared `order=unk`. */
  | 'children-first'
  /** The same children-first CAR, but declared `order=dfs; dups=y`. */
  | 'children-first-declared-dfs'
  /** 200 and headers at once, then one byte every 200 ms, never ending. */
  | 'drip'

export interface GatewayRequest {
  cid: string
  format: string
  accept: string
  status: number
}

export interface GatewayServer {
  /** The gateway URL as the action takes it: `http://127.0.0.1:<port>/ipfs/`. */
  url: string
  /** Imports `bytes` as Kubo would and serves them; returns their Nid. */
  add(bytes: Uint8Array, version?: CidVersion): Promise<string>
  /** Makes every request of `nid` fail this way (`undefined`: serve it normally again). */
  setFault(nid: string, fault: GatewayFault | undefined): void
  /** A gateway that ignores `format` and `Accept`, answering every request with the file's bytes. */
  ignoreFormat: boolean
  requests: GatewayRequest[]
  close(): Promise<void>
}

const RAW = 'application/vnd.ipld.raw'
const CAR = 'application/vnd.ipld.car'

export async function startGatewayServer(): Promise<GatewayServer> {
  const blocks = new Map<string, Uint8Array>()
  const files = new Map<string, Uint8Array>()
  const faults = new Map<string, GatewayFault>()
  const requests: GatewayRequest[] = []
  const timers = new Set<NodeJS.Timeout>()

  const linksOf = (cid: CID): CID[] => {
    const bytes = blocks.get(cid.toString())
    return cid.code === dagPb.code && bytes ? dagPb.decode(bytes).Links.map(link => link.Hash) : []
  }
  /** Depth-first, parents first, repeats sent again: `order=dfs; dups=y`. */
  function* parentsFirst(cid: CID): Generator<CID> {
    yield cid
    for (const link of linksOf(cid)) yield* parentsFirst(link)
  }
  function* childrenFirst(cid: CID): Generator<CID> {
    for (const link of linksOf(cid)) yield* childrenFirst(link)
    yield cid
  }

  const sendCar = async (res: http.ServerResponse, root: CID, fault: GatewayFault | undefined): Promise<void> => {
    const childFirst = fault === 'children-first' || fault === 'children-first-declared-dfs'
    const order = fault === 'children-first' ? 'order=unk' : 'order=dfs; dups=y'
    let cids = [...(childFirst ? childrenFirst(root) : parentsFirst(root))]
    if (fault === 'truncated-car') cids = cids.slice(0, -1)
    const leaves = cids.filter(cid => linksOf(cid).length === 0)
    res.writeHead(200, { 'content-type': `${CAR}; version=1; ${order}` })
    const { writer, out } = CarWriter.create([root])
    const piped = (async () => {
      for await (const chunk of out) res.write(chunk)
      res.end()
    })()
    for (const cid of cids) {
      let bytes = blocks.get(cid.toString()) as Uint8Array
      // Another leaf's bytes under this leaf's CID.
      if (fault === 'wrong-car-block' && leaves.length > 1 && cid.equals(leaves[leaves.length - 1])) {
        bytes = blocks.get(leaves[0].toString()) as Uint8Array
      }
      await writer.put({ cid, bytes })
    }
    await writer.close()
    await piped
  }

  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway')
    const name = /^\/ipfs\/([^/]+)$/.exec(url.pathname)?.[1] ?? ''
    const accept = String(req.headers.accept ?? '')
    const format = url.searchParams.get('format') ?? (accept.startsWith(CAR) ? 'car' : accept === RAW ? 'raw' : '')
    const record = (status: number): void => void requests.push({ cid: name, format, accept, status })
    let cid: CID | undefined
    try {
      cid = CID.parse(name)
    } catch {
      cid = undefined
    }
    const key = cid?.toString() ?? ''
    const fault = faults.get(key)
    const plain = (status: number, headers: http.OutgoingHttpHeaders = {}): void => {
      record(status)
      res.writeHead(status, { 'content-type': 'text/plain', ...headers })
      res.end(`HTTP ${status}`)
    }
    if (!cid || !blocks.has(key) || fault === 'missing') return plain(404)
    if (fault === 'gone') return plain(410)
    if (fault === 'error-500') return plain(500, { 'retry-after': '0' })
    record(200)
    if (fault === 'drip') {
      res.writeHead(200, { 'content-type': RAW })
      const timer = setInterval(() => res.write(Buffer.from([0])), 200)
      timers.add(timer)
      res.on('close', () => {
        clearInterval(timer)
        timers.delete(timer)
      })
      return
    }
    if (gateway.ignoreFormat) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      return void res.end(files.get(key))
    }
    if (format === 'car') return sendCar(res, cid, fault)
    const block = Buffer.from(blocks.get(key) as Uint8Array)
    if (fault === 'corrupt-raw') block[block.length - 1] ^= 0xff
    res.writeHead(200, { 'content-type': RAW, 'content-length': block.length })
    res.end(block)
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch(() => res.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const gateway: GatewayServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ipfs/`,
    async add(bytes, version = 1) {
      const store = {
        put: async (cid: CID, block: Uint8Array): Promise<CID> => {
          blocks.set(cid.toString(), block)
          return cid
        }
      }
      const { cid } = await importBytes(bytes, store, kuboOptions(version))
      files.set(cid.toString(), bytes)
      return cid.toString()
    },
    setFault: (nid, fault) => (fault === undefined ? faults.delete(nid) : faults.set(nid, fault)),
    ignoreFormat: false,
    requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer)
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
  return gateway
}
