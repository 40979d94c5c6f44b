/**
 * Never paying twice, read from the mock's request log: identical content is uploaded once per run,
 * and a run given the previous run's manifest uploads only what changed.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { startStaticServer } from '../../__fixtures__/static-server.js'
import { errorLines, runAction } from '../helpers/run-action.js'

const TOKEN = 'cost-token-51c0'
let workspace: string
let mock: NumbersMock

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-cost-'))
  await fs.mkdir(path.join(workspace, 'assets'))
  for (const name of ['a', 'b', 'c']) await fs.writeFile(path.join(workspace, 'assets', `${name}.bin`), `asset ${name}`)
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(async () => {
  await mock.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  path: 'assets/*',
  'capture-token': TOKEN,
  'pin-api-url': mock.urls.pin,
  'nid-api-url': mock.urls.nid,
  ...extra
})

type Result = { path?: string; url?: string; status: string; orderId?: string; nid?: string; fileUrl?: string }
const resultsOf = (outputs: Record<string, string>): Result[] => JSON.parse(outputs.results)

test('identical files in one run are uploaded once; the copies are already-pinned with the same order', async () => {
  await fs.writeFile(path.join(workspace, 'assets', 'a-copy.bin'), 'asset a')
  const run = await runAction({ workspace, inputs: inputs({ concurrency: '4' }) })
  expect(run.code).toBe(0)
  expect(mock.requests).toHaveLength(3)
  const results = resultsOf(run.outputs)
  const a = results.find(r => r.path === 'assets/a.bin')!
  const copy = results.find(r => r.path === 'assets/a-copy.bin')!
  expect(copy.nid).toBe(a.nid)
  expect(copy.orderId).toBe(a.orderId)
  expect([a.status, copy.status].sort()).toEqual(['already-pinned', 'pinned'])
  expect(JSON.parse(run.outputs['order-ids'])).toHaveLength(3)
  expect(run.outputs['pinned-count']).toBe('4')
  expect(run.summary).toMatch(/4 entries · 3 pinned now · 1 already pinned .*~0\.087 NUM per month/)
})

test('a second run with the first run’s manifest makes no request; a changed file is pinned again', async () => {
  // Each night restores the manifest the night before saved (relative, then absolute paths).
  const nightly = (manifest: string) =>
    runAction({ workspace, inputs: inputs({ 'previous-manifest': manifest, 'manifest-path': manifest }) })
  // The first night: the cache has no manifest yet.
  const first = await nightly('state/numbers-manifest.json')
  expect(first.code).toBe(0)
  expect(first.stdout).toMatch(/::notice::No previous manifest/)
  expect(mock.requests).toHaveLength(3)
  const firstResults = resultsOf(first.outputs)

  mock.reset()
  const second = await nightly('state/numbers-manifest.json')
  expect(second.code).toBe(0)
  expect(mock.requests).toEqual([])
  const secondResults = resultsOf(second.outputs)
  expect(secondResults.map(r => r.status)).toEqual(['already-pinned', 'already-pinned', 'already-pinned'])
  expect(secondResults.map(r => [r.nid, r.orderId, r.fileUrl])).toEqual(
    firstResults.map(r => [r.nid, r.orderId, r.fileUrl])
  )
  expect(JSON.parse(second.outputs['order-ids'])).toEqual([])
  expect(second.summary).toContain('0 pinned now · 3 already pinned')
  expect(second.summary).toContain('~0 NUM per month')

  mock.reset()
  await fs.writeFile(path.join(workspace, 'assets', 'b.bin'), 'asset b, version 2')
  const third = await nightly(path.join(workspace, 'state', 'numbers-manifest.json'))
  expect(third.code).toBe(0)
  expect(mock.requests.map(r => r.fileName)).toEqual(['b.bin'])
  expect(resultsOf(third.outputs).map(r => r.status)).toEqual(['already-pinned', 'pinned', 'already-pinned'])
})

test('a file missing for a night is not paid for again when it comes back', async () => {
  const nightly = () =>
    runAction({ workspace, inputs: inputs({ 'previous-manifest': 'm.json', 'manifest-path': 'm.json' }) })
  expect((await nightly()).code).toBe(0)
  const b = path.join(workspace, 'assets', 'b.bin')
  const content = await fs.readFile(b)
  await fs.rm(b)
  mock.reset()
  const without = await nightly()
  expect(without.code).toBe(0)
  expect(mock.requests).toEqual([])
  const manifest = JSON.parse(await fs.readFile(path.join(workspace, 'm.json'), 'utf8'))
  expect(manifest.earlierPins).toHaveLength(1)
  await fs.writeFile(b, content)
  const back = await nightly()
  expect(back.code).toBe(0)
  expect(mock.requests).toEqual([])
  expect(resultsOf(back.outputs).map(r => r.status)).toEqual(['already-pinned', 'already-pinned', 'already-pinned'])
})

test('with a previous manifest, URLs are identified (Get Nid) and pinned only when new', async () => {
  const files = await startStaticServer({ files: { 'known.txt': 'asset a', 'new.txt': 'brand new' } })
  try {
    const first = await runAction({ workspace, inputs: inputs({ 'manifest-path': 'm.json' }) })
    expect(first.code).toBe(0)
    mock.reset()
    const run = await runAction({
      workspace,
      inputs: {
        ...inputs({ 'previous-manifest': 'm.json' }),
        path: '',
        'file-urls': `${files.url}/known.txt\n${files.url}/new.txt`
      }
    })
    expect(run.code).toBe(0)
    const sent = mock.requests.map(r => `${r.endpoint} ${r.fileURL}`).sort()
    expect(sent).toEqual([`nid ${files.url}/known.txt`, `nid ${files.url}/new.txt`, `pin ${files.url}/new.txt`])
    expect(resultsOf(run.outputs).map(r => r.status)).toEqual(['already-pinned', 'pinned'])
  } finally {
    await files.close()
  }
})

test('a corrupt previous manifest stops the run before any request', async () => {
  await fs.writeFile(path.join(workspace, 'broken.json'), '{"results": 42}')
  const run = await runAction({ workspace, inputs: inputs({ 'previous-manifest': 'broken.json' }) })
  expect(run.code).toBe(1)
  expect(errorLines(run)[0]).toMatch(
    /broken\.json: previous-manifest is not a manifest written by this action \(no results array\)/
  )
  expect(mock.requests).toEqual([])
})
