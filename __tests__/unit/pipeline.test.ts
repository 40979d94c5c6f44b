import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FakeNumbersApi } from '../../__fixtures__/fake-numbers-api.js'
import { kuboCid } from '../../__fixtures__/numbers-api.js'
import type { LocalFile } from '../../src/discovery.js'
import { ApiError } from '../../src/errors.js'
import { mapLimit } from '../../src/concurrency.js'
import { runPipeline, type Entry, type PipelineOptions } from '../../src/pipeline.js'

let dir: string
const messages: string[] = []
const log = { info: (m: string) => messages.push(m), warning: (m: string) => messages.push(m), debug: () => {} }

async function file(name: string, content: string): Promise<LocalFile> {
  const absolutePath = path.join(dir, name)
  await fs.writeFile(absolutePath, content)
  return { absolutePath, path: `out/${name}`, size: Buffer.byteLength(content) }
}
const entries = (files: LocalFile[]): Entry[] => files.map(f => ({ source: 'file', file: f }))
const options = (api: FakeNumbersApi | undefined, extra: Partial<PipelineOptions> = {}): PipelineOptions => ({
  pin: true,
  nidSource: 'local',
  cidVersion: 1,
  concurrency: 4,
  gatewayUrl: 'https://gw.example/ipfs/',
  api,
  log,
  ...extra
})

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-'))
  messages.length = 0
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

test('pins each file and reports Nid, sha256, order and links', async () => {
  const api = new FakeNumbersApi()
  const [a] = [await file('a.txt', 'hello world\n')]
  const [result] = await runPipeline(entries([a]), options(api))
  const nid = await kuboCid(Buffer.from('hello world\n'), 1)
  expect(result).toEqual({
    source: 'file',
    path: 'out/a.txt',
    size: 12,
    sha256: 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
    nid,
    cidVersion: 1,
    status: 'pinned',
    orderId: 'order-1',
    fileUrl: `https://gw.example/ipfs/${nid}`,
    gatewayUrl: `https://gw.example/ipfs/${nid}`
  })
  expect(api.calls.map(c => [c.method, c.upload.kind])).toEqual([['pin', 'file']])
})

test('pin: false with local Nids needs no API at all', async () => {
  const results = await runPipeline(entries([await file('a.txt', 'a')]), options(undefined, { pin: false }))
  expect(results[0]).toMatchObject({ status: 'nid-only', nid: await kuboCid(Buffer.from('a'), 1) })
  expect(results[0].orderId).toBeUndefined()
})

test('nid-source: api checks the service’s Nid; a mismatch fails only that entry', async () => {
  const api = new FakeNumbersApi()
  api.faults.set('bad.txt', 'wrong-cid')
  const files = [await file('bad.txt', 'bad'), await file('good.txt', 'good')]
  const results = await runPipeline(entries(files), options(api, { nidSource: 'api' }))
  expect(results.map(r => r.status)).toEqual(['failed', 'pinned'])
  expect(results[0].error).toMatch(
    /^out\/bad\.txt: Get Nid from File returned CID bafkreihdwd.*, but the local Nid is /
  )
  expect(api.calls.filter(c => c.upload.kind === 'file' && c.upload.name === 'bad.txt').map(c => c.method)).toEqual([
    'getNid'
  ])
})

test('a pin that returns another CID fails the entry', async () => {
  const api = new FakeNumbersApi()
  api.faults.set('a.txt', 'wrong-cid')
  const [result] = await runPipeline(entries([await file('a.txt', 'a')]), options(api))
  expect(result.status).toBe('failed')
  expect(result.error).toMatch(/Pin file to IPFS returned CID/)
})

test('a failure does not stop the others; order is the input order whatever finishes first', async () => {
  const api = new FakeNumbersApi()
  api.faults.set('b.txt', new ApiError('Pin file to IPFS answered HTTP 500', 500))
  const files = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(n => file(`${n}.txt`, `content ${n}`)))
  const results = await runPipeline(entries(files), options(api, { concurrency: 3 }))
  expect(results.map(r => r.path)).toEqual(files.map(f => f.path))
  expect(results.map(r => r.status)).toEqual(['pinned', 'failed', 'pinned', 'pinned', 'pinned'])
  expect(results[1].error).toBe('out/b.txt: Pin file to IPFS answered HTTP 500')
})

test('concurrency bounds the requests in flight', async () => {
  const api = new FakeNumbersApi(20)
  const files = await Promise.all(Array.from({ length: 12 }, (_, i) => file(`f${i}.txt`, `f${i}`)))
  await runPipeline(entries(files), options(api, { concurrency: 3 }))
  expect(api.maxInFlight).toBe(3)
})

test('identical content is pinned once per run; the copies share its order', async () => {
  const api = new FakeNumbersApi()
  const files = [await file('a.txt', 'same'), await file('b.txt', 'same'), await file('c.txt', 'other')]
  const results = await runPipeline(entries(files), options(api, { concurrency: 3 }))
  expect(api.calls.filter(c => c.method === 'pin')).toHaveLength(2)
  expect(results.map(r => r.status).sort()).toEqual(['already-pinned', 'pinned', 'pinned'])
  expect(results[0].orderId).toBe(results[1].orderId)
  expect(messages.some(m => /same content .* pinned once/.test(m))).toBe(true)
})

test('what an earlier run pinned is not pinned again', async () => {
  const api = new FakeNumbersApi()
  const a = await file('a.txt', 'a')
  const nid = await kuboCid(Buffer.from('a'), 1)
  const previous = new Map([[nid, { orderId: 'order-old', fileUrl: 'https://gw.example/old' }]])
  const [result] = await runPipeline(entries([a]), options(api, { previous }))
  expect(api.calls).toEqual([])
  expect(result).toMatchObject({ status: 'already-pinned', orderId: 'order-old', fileUrl: 'https://gw.example/old' })
})

test('a file that changed size or vanished since discovery fails with what to do', async () => {
  const api = new FakeNumbersApi()
  const grown = await file('grown.txt', 'short')
  const gone = await file('gone.txt', 'here')
  await fs.writeFile(grown.absolutePath, 'much longer now')
  await fs.rm(gone.absolutePath)
  const results = await runPipeline(entries([grown, gone]), options(api))
  expect(results[0].error).toMatch(/^out\/grown\.txt: changed size from 5 to 15 bytes .*nothing writes to it/)
  expect(results[1].error).toMatch(/^out\/gone\.txt: disappeared after it was found \(ENOENT\)/)
  expect(api.calls).toEqual([])
})

test('URLs: pinned by the service, or only identified with pin: false', async () => {
  const api = new FakeNumbersApi()
  api.urls.set('https://files.example/a.bin', Buffer.from('remote'))
  const url: Entry[] = [{ source: 'url', url: 'https://files.example/a.bin' }]
  const nid = await kuboCid(Buffer.from('remote'), 1)
  const [pinned] = await runPipeline(url, options(api))
  expect(pinned).toMatchObject({ source: 'url', status: 'pinned', nid, size: 6, url: 'https://files.example/a.bin' })
  const [identified] = await runPipeline(url, options(api, { pin: false }))
  expect(identified).toMatchObject({ status: 'nid-only', nid, size: 6 })
  expect(api.calls.map(c => c.method)).toEqual(['pin', 'getNid'])
})

test('onSettled sees each entry as it finishes; an aborted signal starts nothing new', async () => {
  const api = new FakeNumbersApi()
  const files = await Promise.all(['a', 'b', 'c'].map(n => file(`${n}.txt`, n)))
  const controller = new AbortController()
  const settled: number[] = []
  const results = await runPipeline(
    entries(files),
    options(api, {
      concurrency: 1,
      signal: controller.signal,
      onSettled: index => {
        settled.push(index)
        controller.abort()
      }
    })
  )
  expect(settled).toEqual([0])
  expect(results).toHaveLength(1)
})

test('mapLimit keeps order and never exceeds its limit', async () => {
  let running = 0
  let peak = 0
  const out = await mapLimit([30, 10, 20, 5], 2, async ms => {
    peak = Math.max(peak, ++running)
    await new Promise(resolve => setTimeout(resolve, ms))
    running--
    return ms * 2
  })
  expect(out).toEqual([60, 20, 40, 10])
  expect(peak).toBe(2)
})
