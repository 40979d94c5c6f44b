/**
 * The bundled action against the repository's mock of the Numbers API, on every Node runtime the
 * bundle supports: pins, Nid-only runs, `nid-source: api`, files and URLs.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { startStaticServer, type StaticServer } from '../../__fixtures__/static-server.js'
import { errorLines, runAction, runtimes } from '../helpers/run-action.js'

const TOKEN = 'capture-token-3f9a1c'
const hello = vectors.vectors.find(v => v.name === 'hello')!
const oneMiB = vectors.vectors.find(v => v.name === 'one-mebibyte')!
const oneMiBBytes = Buffer.from(Array.from({ length: oneMiB.size }, (_, i) => i % 256))

let workspace: string
let mock: NumbersMock
let files: StaticServer

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-pin-'))
  await fs.mkdir(path.join(workspace, 'dist'))
  await fs.writeFile(path.join(workspace, 'dist', 'hello.txt'), 'hello world\n')
  await fs.writeFile(path.join(workspace, 'dist', 'app.bin'), oneMiBBytes)
  mock = await startNumbersMock({ token: TOKEN })
  files = await startStaticServer({ files: { 'hello.txt': 'hello world\n', 'app.bin': oneMiBBytes } })
})
afterEach(() => mock.reset())
afterAll(async () => {
  await mock.close()
  await files.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

const api = (): Record<string, string> => ({
  'capture-token': TOKEN,
  'nid-api-url': mock.urls.nid,
  'pin-api-url': mock.urls.pin
})

describe.each(runtimes().map(r => [r.version, r.node]))('on Node %s', (_version, node) => {
  test('pins each file once, as multipart `file` with version and pin, and reports order IDs', async () => {
    const run = await runAction({ node, workspace, inputs: { path: 'dist/*', ...api() } })
    expect(run.code).toBe(0)
    expect(mock.requests).toHaveLength(2)
    for (const request of mock.requests) {
      expect(request).toMatchObject({
        endpoint: 'pin',
        attempt: 1,
        authorization: `token ${TOKEN}`,
        shape: 'multipart',
        fields: { version: '1', pin: 'true' },
        status: 200
      })
      expect(request.userAgent).toMatch(/^numbers-pin-action\//)
    }
    expect(mock.requests.map(r => r.fileName).sort()).toEqual(['app.bin', 'hello.txt'])

    const results = JSON.parse(run.outputs.results)
    expect(results).toEqual([
      expect.objectContaining({
        path: 'dist/app.bin',
        nid: oneMiB.cidV1,
        status: 'pinned',
        size: oneMiB.size,
        sha256: oneMiB.sha256
      }),
      expect.objectContaining({
        path: 'dist/hello.txt',
        nid: hello.cidV1,
        status: 'pinned',
        size: 12,
        sha256: hello.sha256
      })
    ])
    const orderIds = mock.requests.map(r => r.orderID).sort()
    expect([...JSON.parse(run.outputs['order-ids'])].sort()).toEqual(orderIds)
    expect(results[1].gatewayUrl).toBe(`https://ipfs-pin.numbersprotocol.io/ipfs/${hello.cidV1}`)
    expect(results[1].fileUrl).toBe(`https://ipfs-pin.numbersprotocol.io/ipfs/${hello.cidV1}`)
    expect(run.outputs['pinned-count']).toBe('2')
    expect(run.summary).toContain('2 pinned now')
    expect(run.summary).toContain('~0.058 NUM per month')
    const manifest = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8'))
    expect(manifest.results).toEqual(results)
  })

  test('nid-source: api asks Get Nid first and checks it against the local Nid', async () => {
    const run = await runAction({
      node,
      workspace,
      inputs: { path: 'dist/hello.txt', 'nid-source': 'api', pin: 'false', ...api() }
    })
    expect(run.code).toBe(0)
    expect(mock.requests.map(r => [r.endpoint, r.shape, r.fields.version])).toEqual([['nid', 'multipart', '1']])
    expect(run.outputs.nid).toBe(hello.cidV1)
    expect(JSON.parse(run.outputs.results)[0].status).toBe('nid-only')
  })

  test('URLs are sent as JSON fileURL; pin and Nid-only', async () => {
    const urls = `${files.url}/hello.txt\n${files.url}/app.bin`
    const pinned = await runAction({ node, workspace, inputs: { 'file-urls': urls, ...api() } })
    expect(pinned.code).toBe(0)
    // Both are in flight at once, so their arrival order is not fixed.
    const sent = mock.requests
      .map(r => [r.endpoint, r.shape, r.fileURL, r.fields.version, r.fields.pin].join(' '))
      .sort()
    expect(sent).toEqual([`pin json ${files.url}/app.bin 1 true`, `pin json ${files.url}/hello.txt 1 true`])
    const results = JSON.parse(pinned.outputs.results)
    expect(results.map((r: { url: string }) => r.url)).toEqual([`${files.url}/hello.txt`, `${files.url}/app.bin`])
    expect(results.map((r: { nid: string }) => r.nid)).toEqual([hello.cidV1, oneMiB.cidV1])
    expect(results.map((r: { size: number }) => r.size)).toEqual([12, oneMiB.size])

    mock.reset()
    const nidOnly = await runAction({
      node,
      workspace,
      inputs: { 'file-urls': `${files.url}/hello.txt`, pin: 'false', ...api() }
    })
    expect(nidOnly.code).toBe(0)
    expect(mock.requests.map(r => [r.endpoint, r.shape])).toEqual([['nid', 'json']])
    expect(nidOnly.outputs.nid).toBe(hello.cidV1)
  })

  test('pin: false with local Nids sends nothing and needs no token', async () => {
    const run = await runAction({
      node,
      workspace,
      inputs: { path: 'dist/*', pin: 'false', 'nid-api-url': mock.urls.nid, 'pin-api-url': mock.urls.pin }
    })
    expect(run.code).toBe(0)
    expect(mock.requests).toEqual([])
  })
})

test('cid-version 0 is sent as version 0 and checked against the local CIDv0', async () => {
  const run = await runAction({ workspace, inputs: { path: 'dist/hello.txt', 'cid-version': '0', ...api() } })
  expect(run.code).toBe(0)
  expect(mock.requests[0].fields.version).toBe('0')
  expect(run.outputs.nid).toBe(hello.cidV0)
})

test('a token the service rejects fails the entry with what to check', async () => {
  const run = await runAction({
    workspace,
    inputs: { path: 'dist/hello.txt', ...api(), 'capture-token': 'wrong-token' }
  })
  expect(run.code).toBe(1)
  expect(mock.requests).toHaveLength(1)
  expect(errorLines(run)[0]).toMatch(/rejected the Capture Token \(HTTP 401.*capture-token/)
  expect(JSON.parse(run.outputs.results)[0]).toMatchObject({ status: 'failed', path: 'dist/hello.txt' })
})

test('awkward names and empty files pin like any other, and the summary escapes them', async () => {
  const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-odd-'))
  const names = [
    'with space.txt',
    'ünïcødé-文件.txt',
    'hash#1.txt',
    '100%.txt',
    `quote'"s.txt`,
    'pipe|star*.txt',
    'empty.bin'
  ]
  for (const name of names) await fs.writeFile(path.join(ws, name), name === 'empty.bin' ? '' : name)
  try {
    const run = await runAction({ workspace: ws, inputs: { path: '*', ...api() } })
    expect(run.code).toBe(0)
    expect(mock.requests).toHaveLength(names.length)
    const results = JSON.parse(run.outputs.results) as { path: string; status: string; nid: string; size: number }[]
    expect(results.map(r => r.path).sort()).toEqual([...names].sort())
    expect(results.every(r => r.status === 'pinned')).toBe(true)
    expect(results.find(r => r.path === 'empty.bin')).toMatchObject({ size: 0, nid: vectors.vectors[0].cidV1 })
    expect(run.summary).toContain('pipe\\|star\\*.txt')
  } finally {
    await fs.rm(ws, { recursive: true, force: true })
  }
})
