import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cidOf } from '../../__fixtures__/cid.js'
import { FakeNumbersApi, WRONG_CID } from '../../__fixtures__/fake-numbers-api.js'
import { limiter, mapLimit } from '../../src/concurrency.js'
import type { LocalFile } from '../../src/discovery.js'
import { ApiError } from '../../src/errors.js'
import { pipelineResults, type TestPipelineOptions } from '../helpers/pipeline.js'
import type { Entry, PipelineOptions } from '../../src/pipeline/types.js'
import type { EntryResult } from '../../src/types.js'

const GATEWAY = 'https://gw.example/ipfs/'
let dir: string
let messages: string[]
const log = {
  info: (m: string) => messages.push(m),
  warning: (m: string) => messages.push(m),
  debug: (m: string) => messages.push(m)
}

const sha256 = (content: string): string => createHash('sha256').update(content).digest('hex')
const nidOf = (content: string, version: 0 | 1 = 1): Promise<string> => cidOf(Buffer.from(content), version)

/** Writes a file in the temp folder; its workspace-relative path is `out/<name>`. */
async function file(name: string, content: string): Promise<LocalFile> {
  const absolutePath = path.join(dir, name)
  await fs.writeFile(absolutePath, content)
  const { dev, ino } = await fs.stat(absolutePath)
  return { absolutePath, path: `out/${name}`, size: Buffer.byteLength(content), realPath: absolutePath, dev, ino }
}
const files = (specs: Record<string, string>): Promise<LocalFile[]> =>
  Promise.all(Object.entries(specs).map(([name, content]) => file(name, content)))
const entries = (list: LocalFile[]): Entry[] => list.map(f => ({ source: 'file', file: f }))
const url = (address: string): Entry => ({ source: 'url', url: address, shown: address })
const options = (api: FakeNumbersApi | undefined, extra: Partial<PipelineOptions> = {}): TestPipelineOptions => ({
  pin: true,
  nidSource: 'local',
  cidVersion: 1,
  concurrency: 4,
  gatewayUrl: GATEWAY,
  api,
  log,
  ...extra
})
const statuses = (results: EntryResult[]): string[] => results.map(r => r.status)

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-'))
  messages = []
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe('pin flow', () => {
  test('a file is pinned: local Nid, sha256, order, file and gateway links', async () => {
    const api = new FakeNumbersApi()
    const a = await file('a.txt', 'hello world\n')
    const results = await pipelineResults(entries([a]), options(api))
    const nid = await nidOf('hello world\n')
    expect(nid).toBe('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')
    expect(results).toEqual([
      {
        source: 'file',
        path: 'out/a.txt',
        size: 12,
        sha256: 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447',
        nid,
        cidVersion: 1,
        status: 'pinned',
        orderId: 'order-1',
        fileUrl: `https://gw.example/ipfs/${nid}`,
        gatewayUrl: `${GATEWAY}${nid}`
      }
    ])
    expect(api.calls).toEqual([
      {
        method: 'pin',
        upload: {
          kind: 'file',
          fd: expect.any(Number),
          name: 'a.txt',
          shown: a.path,
          size: a.size
        },
        version: 1,
        key: 'a.txt'
      }
    ])
  })

  test('CID version 0 is asked for and recorded', async () => {
    const api = new FakeNumbersApi()
    const [result] = await pipelineResults(entries([await file('a.txt', 'v0')]), options(api, { cidVersion: 0 }))
    expect(result).toMatchObject({ status: 'pinned', cidVersion: 0, nid: await nidOf('v0', 0) })
    expect(result.nid).toMatch(/^Qm/)
    expect(api.calls.map(c => c.version)).toEqual([0])
  })

  test('every file gets its own order', async () => {
    const api = new FakeNumbersApi()
    const results = await pipelineResults(
      entries(await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })),
      options(api)
    )
    expect(statuses(results)).toEqual(['pinned', 'pinned', 'pinned'])
    expect(new Set(results.map(r => r.orderId)).size).toBe(3)
    for (const result of results) expect(result.gatewayUrl).toBe(`${GATEWAY}${result.nid}`)
  })

  test('no entries, no calls', async () => {
    const api = new FakeNumbersApi()
    expect(await pipelineResults([], options(api))).toEqual([])
    expect(api.calls).toEqual([])
  })

  test('an empty file is pinned like any other', async () => {
    const api = new FakeNumbersApi()
    const [result] = await pipelineResults(entries([await file('empty.bin', '')]), options(api))
    // WRONG_CID is the empty file's Nid, which makes it a handy known value here.
    expect(result).toMatchObject({ status: 'pinned', size: 0, nid: WRONG_CID, sha256: sha256('') })
  })
})

describe('Nid only', () => {
  test('files hashed on this thread still let timers and signal handlers run between them', async () => {
    const list = await files(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}.txt`, `${i}`])))
    let turned = false
    setImmediate(() => (turned = true))
    const seen: boolean[] = []
    await pipelineResults(
      entries(list),
      options(undefined, { pin: false, concurrency: 1, onSettled: () => seen.push(turned) })
    )
    // The event loop took a turn before the last file was done: a progress timer or a cancel gets in.
    expect(seen).toHaveLength(20)
    expect(seen.at(-1)).toBe(true)
  })

  test('pin: false with local Nids needs no API at all', async () => {
    const [a, b] = await files({ 'a.txt': 'a', 'b.txt': 'b' })
    const results = await pipelineResults(entries([a, b]), options(undefined, { pin: false }))
    expect(results).toEqual([
      {
        source: 'file',
        path: 'out/a.txt',
        size: 1,
        sha256: sha256('a'),
        nid: await nidOf('a'),
        cidVersion: 1,
        status: 'nid-only'
      },
      {
        source: 'file',
        path: 'out/b.txt',
        size: 1,
        sha256: sha256('b'),
        nid: await nidOf('b'),
        cidVersion: 1,
        status: 'nid-only'
      }
    ])
  })

  test('nid-source: api with pin: false asks Get Nid from File and nothing else', async () => {
    const api = new FakeNumbersApi()
    const a = await file('a.txt', 'a')
    const [result] = await pipelineResults(entries([a]), options(api, { pin: false, nidSource: 'api' }))
    expect(result).toMatchObject({ status: 'nid-only', nid: await nidOf('a') })
    expect(api.calls.map(c => [c.method, c.upload])).toEqual([
      [
        'getNid',
        {
          kind: 'file',
          fd: expect.any(Number),
          name: 'a.txt',
          shown: a.path,
          size: a.size
        }
      ]
    ])
  })

  test('a pin needed without a client fails the entry with an internal error, not the run', async () => {
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(undefined))
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(/^out\/a\.txt: internal: a request to Numbers was needed but no client/)
  })
})

describe('nid-source: api', () => {
  test('the service’s Nid is compared, then the file pinned', async () => {
    const api = new FakeNumbersApi()
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api, { nidSource: 'api' }))
    expect(result).toMatchObject({ status: 'pinned', nid: await nidOf('a') })
    expect(api.calls.map(c => c.method)).toEqual(['getNid', 'pin'])
  })

  test('a mismatch fails only that entry, with a CidMismatchError message; nothing is pinned for it', async () => {
    const api = new FakeNumbersApi().fail('bad.txt', 'wrong-cid', { method: 'getNid' })
    const list = await files({ 'bad.txt': 'bad', 'good.txt': 'good' })
    const results = await pipelineResults(entries(list), options(api, { nidSource: 'api' }))
    expect(statuses(results)).toEqual(['failed', 'pinned'])
    const local = await nidOf('bad')
    expect(results[0]).toMatchObject({ nid: local, sha256: sha256('bad') })
    expect(results[0].orderId).toBeUndefined()
    expect(results[0].error).toBe(
      `out/bad.txt: Get Nid from File returned CID ${WRONG_CID}, but the local Nid is ${local}; the uploaded bytes differ from the file`
    )
    expect(api.callsOf({ key: 'bad.txt' }).map(c => c.method)).toEqual(['getNid'])
    expect(api.callsOf({ key: 'good.txt' }).map(c => c.method)).toEqual(['getNid', 'pin'])
  })

  test('an API error from Get Nid from File fails the entry before any pin', async () => {
    const api = new FakeNumbersApi().fail(
      'a.txt',
      new ApiError('Get Nid from File rejected the Capture Token (HTTP 401)', 401)
    )
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api, { nidSource: 'api' }))
    expect(result.error).toBe('out/a.txt: Get Nid from File rejected the Capture Token (HTTP 401)')
    expect(api.calls.map(c => c.method)).toEqual(['getNid'])
  })
})

describe('failures', () => {
  test('a pin that returns another CID fails the entry', async () => {
    const api = new FakeNumbersApi().fail('a.txt', {
      cid: 'bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    })
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api))
    const local = await nidOf('a')
    expect(result).toMatchObject({ status: 'failed', nid: local })
    expect(result.error).toBe(
      `out/a.txt: Pin file to IPFS returned CID bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, but the local Nid is ${local}; the uploaded bytes differ from the file`
    )
    expect(result.gatewayUrl).toBeUndefined()
  })

  test('a failure in one entry does not stop the others', async () => {
    const api = new FakeNumbersApi().fail('b.txt', new ApiError('Pin file to IPFS answered HTTP 500', 500))
    const list = await files({
      'a.txt': 'content a',
      'b.txt': 'content b',
      'c.txt': 'content c',
      'd.txt': 'd',
      'e.txt': 'e'
    })
    const results = await pipelineResults(entries(list), options(api, { concurrency: 2 }))
    expect(statuses(results)).toEqual(['pinned', 'failed', 'pinned', 'pinned', 'pinned'])
    expect(results[1]).toEqual({
      source: 'file',
      path: 'out/b.txt',
      size: 9,
      sha256: sha256('content b'),
      nid: await nidOf('content b'),
      cidVersion: 1,
      status: 'failed',
      error: 'out/b.txt: Pin file to IPFS answered HTTP 500'
    })
    expect(api.callsOf({ method: 'pin' })).toHaveLength(5)
  })

  test('thrown non-Errors become messages too', async () => {
    const api = new FakeNumbersApi()
    api.during.set('a.txt', () => {
      throw 'plain string'
    })
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api))
    expect(result.error).toBe('out/a.txt: plain string')
  })

  test('every entry failing still gives one result per entry', async () => {
    const api = new FakeNumbersApi()
    const list = await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
    for (const f of list) api.fail(path.basename(f.absolutePath), new Error('boom'))
    const results = await pipelineResults(entries(list), options(api))
    expect(results.map(r => r.error)).toEqual(['out/a.txt: boom', 'out/b.txt: boom', 'out/c.txt: boom'])
  })
})

describe('order and concurrency', () => {
  test('results keep the input order with concurrency > 1, whatever finishes first', async () => {
    const api = new FakeNumbersApi()
    const list = await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd', 'e.txt': 'e' })
    // The first entries are the slowest.
    api.delays.set('a.txt', 80)
    api.delays.set('b.txt', 40)
    const settled: number[] = []
    const results = await pipelineResults(
      entries(list),
      options(api, { concurrency: 3, onSettled: index => settled.push(index) })
    )
    expect(results.map(r => r.path)).toEqual(list.map(f => f.path))
    expect(statuses(results)).toEqual(['pinned', 'pinned', 'pinned', 'pinned', 'pinned'])
    // They did finish out of order, so the order above is the pipeline's doing.
    expect(settled).not.toEqual([0, 1, 2, 3, 4])
    expect([...settled].sort()).toEqual([0, 1, 2, 3, 4])
  })

  test.each([1, 3, 8])('concurrency %i bounds the requests in flight, and is used', async concurrency => {
    // Long enough that every slot fills even on a busy machine (hashing runs ahead of the requests).
    const api = new FakeNumbersApi(30)
    const list = await Promise.all(Array.from({ length: 12 }, (_, i) => file(`f${i}.txt`, `f${i}`)))
    const results = await pipelineResults(entries(list), options(api, { concurrency }))
    expect(statuses(results).every(s => s === 'pinned')).toBe(true)
    expect(api.maxInFlight).toBe(concurrency)
  })

  test('two requests per entry (nid-source: api) still stay within the bound', async () => {
    const api = new FakeNumbersApi(10)
    const list = await Promise.all(Array.from({ length: 10 }, (_, i) => file(`f${i}.txt`, `f${i}`)))
    await pipelineResults(entries(list), options(api, { concurrency: 2, nidSource: 'api' }))
    expect(api.calls).toHaveLength(20)
    expect(api.maxInFlight).toBe(2)
  })

  test('a held request does not hold the others back beyond the bound', async () => {
    const api = new FakeNumbersApi(1)
    const list = await files({ 'slow.txt': 'slow', 'b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd' })
    const release = api.hold('slow.txt')
    const settled: number[] = []
    const running = pipelineResults(entries(list), options(api, { concurrency: 2, onSettled: i => settled.push(i) }))
    // The other three go through the one free slot while the first waits.
    for (let waited = 0; settled.length < 3 && waited < 2000; waited += 5) {
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    expect(settled).toEqual([1, 2, 3])
    expect(api.inFlight).toBe(1)
    release()
    expect(statuses(await running)).toEqual(['pinned', 'pinned', 'pinned', 'pinned'])
  })

  test('files and URLs together keep their order', async () => {
    const api = new FakeNumbersApi()
    api.urls.set('https://files.example/u', Buffer.from('u'))
    api.delays.set('https://files.example/u', 30)
    const list = await files({ 'a.txt': 'a', 'b.txt': 'b' })
    const results = await pipelineResults([url('https://files.example/u'), ...entries(list)], options(api))
    expect(results.map(r => r.url ?? r.path)).toEqual(['https://files.example/u', 'out/a.txt', 'out/b.txt'])
  })
})

describe('the same content is paid once', () => {
  test('duplicates in one run: one pin call; the second entry is already-pinned with the same order', async () => {
    const api = new FakeNumbersApi()
    const list = await files({ 'a.txt': 'same', 'b.txt': 'same', 'c.txt': 'other' })
    const results = await pipelineResults(entries(list), options(api, { concurrency: 1 }))
    expect(statuses(results)).toEqual(['pinned', 'already-pinned', 'pinned'])
    expect(api.callsOf({ method: 'pin' }).map(c => c.key)).toEqual(['a.txt', 'c.txt'])
    expect(results[1]).toEqual({
      source: 'file',
      path: 'out/b.txt',
      size: 4,
      sha256: sha256('same'),
      nid: results[0].nid,
      cidVersion: 1,
      status: 'already-pinned',
      orderId: results[0].orderId,
      fileUrl: results[0].fileUrl,
      gatewayUrl: results[0].gatewayUrl
    })
    expect(messages).toContainEqual(
      expect.stringMatching(/^out\/b\.txt: same content \(bafk\S+\) as another entry of this run; pinned once$/)
    )
  })

  test('duplicates in flight at the same time are pinned once too', async () => {
    const api = new FakeNumbersApi(20)
    const list = await files({ 'a.txt': 'same', 'b.txt': 'same', 'c.txt': 'same', 'd.txt': 'other' })
    const results = await pipelineResults(entries(list), options(api, { concurrency: 4 }))
    expect(api.callsOf({ method: 'pin' })).toHaveLength(2)
    expect(statuses(results.slice(0, 3)).sort()).toEqual(['already-pinned', 'already-pinned', 'pinned'])
    expect(new Set(results.slice(0, 3).map(r => r.orderId)).size).toBe(1)
    expect(results[3].status).toBe('pinned')
    expect(results[3].orderId).not.toBe(results[0].orderId)
  })

  test('a failed pin is not shared as a success: its duplicates fail with the same reason', async () => {
    const api = new FakeNumbersApi().fail('a.txt', new ApiError('Pin file to IPFS answered HTTP 503', 503))
    const list = await files({ 'a.txt': 'same', 'b.txt': 'same' })
    const results = await pipelineResults(entries(list), options(api, { concurrency: 1 }))
    expect(results.map(r => [r.status, r.error, r.orderId])).toEqual([
      ['failed', 'out/a.txt: Pin file to IPFS answered HTTP 503', undefined],
      ['failed', 'out/b.txt: Pin file to IPFS answered HTTP 503', undefined]
    ])
    expect(api.callsOf({ method: 'pin' })).toHaveLength(1)
  })

  test('what an earlier run pinned (the previous index) is already-pinned, with zero calls', async () => {
    const api = new FakeNumbersApi()
    const [a, b] = await files({ 'a.txt': 'a', 'b.txt': 'b' })
    const nid = await nidOf('a')
    const previous = new Map([[nid, { orderId: 'order-old', fileUrl: 'https://gw.example/old' }]])
    const [known, fresh] = await pipelineResults(entries([a, b]), options(api, { previous }))
    expect(known).toEqual({
      source: 'file',
      path: 'out/a.txt',
      size: 1,
      sha256: sha256('a'),
      nid,
      cidVersion: 1,
      status: 'already-pinned',
      orderId: 'order-old',
      fileUrl: 'https://gw.example/old',
      gatewayUrl: `${GATEWAY}${nid}`
    })
    expect(fresh.status).toBe('pinned')
    expect(api.calls.map(c => c.key)).toEqual(['b.txt'])
    expect(messages).toContainEqual(
      `out/a.txt: ${nid} is already pinned by an earlier run (order order-old); not paid again`
    )
  })

  test('a previous entry without an order ID is still not pinned again', async () => {
    const api = new FakeNumbersApi()
    const previous = new Map([[await nidOf('a'), {}]])
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api, { previous }))
    expect(result.status).toBe('already-pinned')
    expect(result.orderId).toBeUndefined()
    expect(api.calls).toEqual([])
    expect(messages).toContainEqual(expect.stringContaining('(order unknown)'))
  })

  test('the previous index is not consulted when not pinning', async () => {
    const api = new FakeNumbersApi()
    const previous = new Map([[await nidOf('a'), { orderId: 'order-old' }]])
    const [result] = await pipelineResults(entries([await file('a.txt', 'a')]), options(api, { pin: false, previous }))
    expect(result.status).toBe('nid-only')
    expect(result.orderId).toBeUndefined()
  })
})

describe('files that change while the action runs', () => {
  test('a file that changed size or was deleted between discovery and processing fails, naming it', async () => {
    const api = new FakeNumbersApi()
    const grown = await file('grown.txt', 'short')
    const gone = await file('gone.txt', 'here')
    const fine = await file('fine.txt', 'fine')
    await fs.writeFile(grown.absolutePath, 'much longer now')
    await fs.rm(gone.absolutePath)
    const results = await pipelineResults(entries([grown, gone, fine]), options(api))
    expect(statuses(results)).toEqual(['failed', 'failed', 'pinned'])
    expect(results[0].error).toMatch(
      /^out\/grown\.txt: changed size from 5 to 15 bytes .*; make sure nothing writes to it during this step$/
    )
    expect(results[1].error).toMatch(
      /^out\/gone\.txt: disappeared after it was found \(ENOENT\); make sure nothing deletes it during this step$/
    )
    // Neither was uploaded: their Nids would not match what was found.
    expect(api.calls.map(c => c.key)).toEqual(['fine.txt'])
  })

  test('a file that grows after its Nid was checked is not uploaded to be pinned', async () => {
    const api = new FakeNumbersApi()
    const a = await file('a.txt', 'before')
    // Get Nid from File sees the original bytes and agrees; the file grows right after.
    api.fail('a.txt', { cid: await nidOf('before') }, { method: 'getNid' })
    api.during.set('a.txt', async call => {
      if (call.method === 'getNid') await fs.appendFile(a.absolutePath, ' and after')
    })
    const [result] = await pipelineResults(entries([a]), options(api, { nidSource: 'api' }))
    expect(result.status).toBe('failed')
    expect(result.error).toBe(
      'out/a.txt: changed size from 6 to 16 bytes after it was found; make sure nothing writes to it during this step'
    )
    expect(api.calls.map(c => c.method)).toEqual(['getNid'])
  })

  test('a file that changes while Get Nid from File reads it fails as the file’s fault, not a mismatch', async () => {
    const api = new FakeNumbersApi()
    const a = await file('a.txt', 'before')
    api.during.set('a.txt', async () => {
      await fs.appendFile(a.absolutePath, ' and after')
    })
    const [result] = await pipelineResults(entries([a]), options(api, { nidSource: 'api' }))
    expect(result.error).toMatch(/^out\/a\.txt: changed size from 6 to 16 bytes after it was found/)
    expect(result.error).not.toContain('returned CID')
  })

  test('a file deleted while its request is on the wire is still sent whole: it was opened once, before', async () => {
    const api = new FakeNumbersApi()
    const a = await file('a.txt', 'a')
    api.during.set('a.txt', async () => {
      await fs.rm(a.absolutePath)
    })
    const [result] = await pipelineResults(entries([a]), options(api))
    expect(result).toMatchObject({ status: 'pinned', nid: await nidOf('a') })
  })

  test('a file replaced by another (a link to a secret, a FIFO) after it was found is never sent', async () => {
    const api = new FakeNumbersApi()
    const [swapped, piped] = await files({ 'swapped.txt': 'public', 'piped.txt': 'public' })
    await fs.writeFile(path.join(dir, 'secret'), 'SECRET')
    await fs.rm(swapped.absolutePath)
    await fs.symlink(path.join(dir, 'secret'), swapped.absolutePath)
    await fs.rm(piped.absolutePath)
    spawnSync('mkfifo', [piped.absolutePath])
    const results = await pipelineResults(entries([swapped, piped]), options(api))
    expect(results.map(r => r.error)).toEqual([
      'out/swapped.txt: changed after it was found: it is now a symbolic link; it is not sent. Make sure nothing replaces files during this step',
      'out/piped.txt: changed after it was found: it is no longer a regular file; it is not sent. Make sure nothing replaces files during this step'
    ])
    expect(api.calls).toEqual([])
  })
})

describe('URL entries', () => {
  const address = 'https://files.example/a.bin'

  test('pin: true pins the URL (kind url) without asking for its Nid first', async () => {
    const api = new FakeNumbersApi()
    api.urls.set(address, Buffer.from('remote'))
    const nid = await nidOf('remote')
    const results = await pipelineResults([url(address)], options(api))
    expect(results).toEqual([
      {
        source: 'url',
        url: address,
        size: 6,
        nid,
        cidVersion: 1,
        status: 'pinned',
        orderId: 'order-1',
        fileUrl: `https://gw.example/ipfs/${nid}`,
        gatewayUrl: `${GATEWAY}${nid}`
      }
    ])
    expect(api.calls).toEqual([
      { method: 'pin', upload: { kind: 'url', url: address, shown: address }, version: 1, key: address }
    ])
  })

  test('pin: false asks Get Nid from File for the URL', async () => {
    const api = new FakeNumbersApi()
    api.urls.set(address, Buffer.from('remote'))
    const results = await pipelineResults([url(address)], options(api, { pin: false }))
    expect(results).toEqual([
      { source: 'url', url: address, size: 6, nid: await nidOf('remote'), cidVersion: 1, status: 'nid-only' }
    ])
    expect(api.calls).toEqual([
      { method: 'getNid', upload: { kind: 'url', url: address, shown: address }, version: 1, key: address }
    ])
  })

  test('with a previous index, a URL is identified first and not pinned again if known', async () => {
    const api = new FakeNumbersApi()
    api.urls.set(address, Buffer.from('remote'))
    api.urls.set('https://files.example/new.bin', Buffer.from('new'))
    const previous = new Map([[await nidOf('remote'), { orderId: 'order-old' }]])
    const results = await pipelineResults(
      [url(address), url('https://files.example/new.bin')],
      options(api, { previous })
    )
    expect(results.map(r => [r.status, r.orderId])).toEqual([
      ['already-pinned', 'order-old'],
      ['pinned', 'order-1']
    ])
    expect(api.calls.map(c => [c.method, c.key])).toEqual(
      expect.arrayContaining([
        ['getNid', address],
        ['getNid', 'https://files.example/new.bin'],
        ['pin', 'https://files.example/new.bin']
      ])
    )
    expect(api.calls).toHaveLength(3)
  })

  test('a URL pin whose CID differs from the identified one fails', async () => {
    const api = new FakeNumbersApi().fail(address, 'wrong-cid', { method: 'pin' })
    api.urls.set(address, Buffer.from('remote'))
    const previous = new Map([['bafkreiunrelated', {}]])
    const [result] = await pipelineResults([url(address)], options(api, { previous }))
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(
      new RegExp(`^${address}: Pin file to IPFS returned CID ${WRONG_CID}, but the local Nid is`)
    )
  })

  test('a URL that fails is reported under its URL', async () => {
    const api = new FakeNumbersApi().fail(address, new ApiError('Pin file to IPFS refused the request (HTTP 400)', 400))
    const [result] = await pipelineResults([url(address)], options(api))
    expect(result).toEqual({
      source: 'url',
      url: address,
      cidVersion: 1,
      status: 'failed',
      error: `${address}: Pin file to IPFS refused the request (HTTP 400)`
    })
  })
})

describe('settling and cancelling', () => {
  test('onSettled sees each entry once, with the result that is returned', async () => {
    const api = new FakeNumbersApi()
    const list = await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
    api.fail('b.txt', new Error('boom'))
    const seen = new Map<number, EntryResult>()
    const results = await pipelineResults(
      entries(list),
      options(api, {
        onSettled: (index, result) => {
          expect(seen.has(index)).toBe(false)
          seen.set(index, result)
        }
      })
    )
    expect(results).toEqual([seen.get(0), seen.get(1), seen.get(2)])
  })

  test('an aborted signal starts nothing new; what finished is returned', async () => {
    const api = new FakeNumbersApi()
    const list = await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
    const controller = new AbortController()
    const settled: number[] = []
    const results = await pipelineResults(
      entries(list),
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
    expect(results.map(r => r.path)).toEqual(['out/a.txt'])
    expect(api.calls.map(c => c.key)).toEqual(['a.txt'])
  })

  test('a signal aborted before the start runs nothing', async () => {
    const api = new FakeNumbersApi()
    const controller = new AbortController()
    controller.abort()
    const results = await pipelineResults(
      entries(await files({ 'a.txt': 'a' })),
      options(api, { signal: controller.signal })
    )
    expect(results).toEqual([])
    expect(api.calls).toEqual([])
  })
})

describe('mapLimit and limiter', () => {
  const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

  test('mapLimit keeps the input order and never exceeds its limit', async () => {
    let running = 0
    let peak = 0
    const out = await mapLimit([30, 10, 20, 5, 1], 2, async (ms, index) => {
      peak = Math.max(peak, ++running)
      await sleep(ms)
      running--
      return `${index}:${ms * 2}`
    })
    expect(out).toEqual(['0:60', '1:20', '2:40', '3:10', '4:2'])
    expect(peak).toBe(2)
  })

  test('mapLimit with a limit above the item count runs them all at once', async () => {
    let running = 0
    let peak = 0
    await mapLimit([1, 2, 3], 10, async () => {
      peak = Math.max(peak, ++running)
      await sleep(5)
      running--
    })
    expect(peak).toBe(3)
  })

  test('mapLimit of nothing is nothing', async () => {
    expect(await mapLimit([], 3, async () => 1)).toEqual([])
  })

  test('mapLimit: after an abort, items not yet started resolve to undefined without running', async () => {
    const controller = new AbortController()
    const started: number[] = []
    const out = await mapLimit(
      [0, 1, 2, 3, 4],
      2,
      async item => {
        started.push(item)
        // Item 1 finishes first and aborts while item 0 is still running.
        await sleep(item === 0 ? 30 : 5)
        if (item === 1) controller.abort()
        return item * 10
      },
      controller.signal
    )
    expect(started).toEqual([0, 1])
    expect(out).toEqual([0, 10, undefined, undefined, undefined])
  })

  test('mapLimit rejects with a task’s error, and the remaining tasks still run to the limit', async () => {
    let running = 0
    let peak = 0
    await expect(
      mapLimit([1, 2, 3, 4], 2, async item => {
        peak = Math.max(peak, ++running)
        await sleep(5)
        running--
        if (item === 2) throw new Error('task 2')
        return item
      })
    ).rejects.toThrow('task 2')
    expect(peak).toBe(2)
  })

  test('limiter starts tasks in the order they were queued', async () => {
    const run = limiter(1)
    const order: string[] = []
    await Promise.all(
      ['a', 'b', 'c'].map(name =>
        run(async () => {
          order.push(name)
          await sleep(1)
        })
      )
    )
    expect(order).toEqual(['a', 'b', 'c'])
  })
})
