/**
 * Retention and the budget through the real bundles (dist/index.js, dist/merge/index.js) against the
 * Numbers mock: `unpin-absent: plan` lists, `true` unpins and records it, every interlock holds,
 * a failed unpin is tried again next run, the merge unpins for a sharded run, and `max-monthly-cost`
 * refuses a run before any request.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { errorLines, MERGE_BUNDLE, runAction, type ActionRun } from '../helpers/run-action.js'

const TOKEN = 'retain-token-7d2f'
let workspace: string
let mock: NumbersMock

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-retain-'))
  await fs.mkdir(path.join(workspace, 'assets'))
  for (const name of ['a', 'b', 'c']) await fs.writeFile(path.join(workspace, 'assets', `${name}.bin`), `asset ${name}`)
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(async () => {
  await mock.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

/** A nightly run: reads and writes m.json, as a cache restores and saves it. */
const nightly = (extra: Record<string, string> = {}): Promise<ActionRun> =>
  runAction({
    workspace,
    inputs: {
      path: 'assets/*',
      'capture-token': TOKEN,
      'pin-api-url': mock.urls.pin,
      'nid-api-url': mock.urls.nid,
      'unpin-api-url': mock.urls.unpin,
      'previous-manifest': 'm.json',
      'manifest-path': 'm.json',
      retries: '0',
      ...extra
    }
  })

type Ledger = { earlierPins: { nid: string; orderId?: string; paths?: string[] }[]; unpinned?: unknown[] }
const ledger = async (file = 'm.json'): Promise<Ledger> =>
  JSON.parse(await fs.readFile(path.join(workspace, file), 'utf8'))
const unpins = () => mock.nidRequests.filter(r => r.endpoint === 'unpin')

/** Night 1 pins a, b and c; then c is deleted. Returns c's Nid and order. */
async function pinThenDropC(extra: Record<string, string> = {}): Promise<{ nid: string; orderId: string }> {
  const first = await nightly(extra)
  expect(first.code).toBe(0)
  const c = (JSON.parse(first.outputs.results) as { path: string; nid: string; orderId: string }[]).find(
    r => r.path === 'assets/c.bin'
  )!
  await fs.rm(path.join(workspace, 'assets', 'c.bin'))
  mock.reset()
  return { nid: c.nid, orderId: c.orderId }
}

test('plan: the absent pin is listed with its path, order and saving, in the outputs and the summary; nothing is called', async () => {
  const c = await pinThenDropC()
  const run = await nightly({ 'unpin-absent': 'plan' })
  expect(run.code).toBe(0)
  expect(mock.nidRequests).toEqual([])
  expect(mock.requests).toEqual([])
  expect(JSON.parse(run.outputs.unpinned)).toEqual([c.nid])
  expect([run.outputs['unpinned-count'], run.outputs['monthly-saving']]).toEqual(['1', '0.029'])
  expect(run.summary).toContain('Unpin plan')
  expect(run.summary).toContain('1 Nid would be unpinned · ~0.029 NUM per month')
  expect(run.summary).toContain(c.orderId)
  expect(run.summary).toContain('assets/c.bin')
  // Still in the ledger, with its path.
  expect((await ledger()).earlierPins).toEqual([
    expect.objectContaining({ nid: c.nid, orderId: c.orderId, paths: ['assets/c.bin'] })
  ])
})

test('true: the absent pin is unpinned, recorded in the manifest, and leaves the ledger', async () => {
  const c = await pinThenDropC()
  const run = await nightly({ 'unpin-absent': 'true' })
  expect(run.code).toBe(0)
  expect(unpins()).toMatchObject([{ nid: c.nid, authorized: true, status: 200 }])
  expect(JSON.parse(run.outputs.unpinned)).toEqual([c.nid])
  expect(run.summary).toContain('Unpinned: earlier pins no longer in the set')
  const after = await ledger()
  expect(after.earlierPins).toEqual([])
  expect(after.unpinned).toEqual([
    { nid: c.nid, orderId: c.orderId, unpinnedAt: expect.any(String), paths: ['assets/c.bin'] }
  ])
  mock.reset()
  const next = await nightly({ 'unpin-absent': 'true' })
  expect(next.code).toBe(0)
  expect(unpins()).toEqual([])
  expect(next.outputs['unpinned-count']).toBe('0')
})

test('a failed unpin fails the step, names the Nid and status, stays in the ledger and is retried next run', async () => {
  const c = await pinThenDropC()
  mock.script({ endpoint: 'unpin', nid: c.nid }, { status: 500 })
  const run = await nightly({ 'unpin-absent': 'true' })
  expect(run.code).toBe(1)
  expect(errorLines(run).join('\n')).toMatch(new RegExp(`Unpin of ${c.nid} \\(assets/c.bin\\) failed: .*HTTP 500`))
  expect((await ledger()).earlierPins.map(p => p.nid)).toEqual([c.nid])
  expect(run.outputs['unpinned-count']).toBe('0')
  mock.reset()
  const again = await nightly({ 'unpin-absent': 'true' })
  expect(again.code).toBe(0)
  expect(unpins()).toMatchObject([{ nid: c.nid, status: 200 }])
  expect((await ledger()).earlierPins).toEqual([])
})

describe('interlocks: nothing is unpinned, and a warning says which held', () => {
  test('a failure in this run', async () => {
    await pinThenDropC()
    await fs.writeFile(path.join(workspace, 'assets', 'd.bin'), 'asset d')
    mock.script({ endpoint: 'pin', fileName: 'd.bin' }, { status: 400, body: { detail: 'rejected' } })
    const run = await nightly({ 'unpin-absent': 'true' })
    expect(run.code).toBe(1)
    expect(unpins()).toEqual([])
    expect(run.stdout).toMatch(/::warning::unpin-absent: nothing unpinned: this run had 1 failure/)
    expect((await ledger()).earlierPins).toHaveLength(1)
  })

  test('no files found (a broken glob)', async () => {
    await pinThenDropC()
    const run = await nightly({ path: 'asets/*', 'if-no-files-found': 'warn', 'unpin-absent': 'true' })
    expect(run.code).toBe(0)
    expect(unpins()).toEqual([])
    expect(run.stdout).toMatch(/::warning::unpin-absent: nothing unpinned: this run found no files/)
    expect((await ledger()).earlierPins).toHaveLength(3)
  })

  test('a previous manifest of another CID version', async () => {
    await pinThenDropC({ 'cid-version': '0' })
    const run = await nightly({ 'unpin-absent': 'true' })
    expect(unpins()).toEqual([])
    expect(run.stdout).toMatch(
      /::warning::unpin-absent: nothing unpinned: the previous manifest was written with cid-version 0/
    )
  })

  test('a Nid this run holds under another path is not absent', async () => {
    const c = await pinThenDropC()
    await fs.writeFile(path.join(workspace, 'assets', 'renamed.bin'), 'asset c')
    const run = await nightly({ 'unpin-absent': 'true' })
    expect(run.code).toBe(0)
    expect([unpins(), mock.requests]).toEqual([[], []])
    expect(run.outputs['unpinned-count']).toBe('0')
    const renamed = (JSON.parse(run.outputs.results) as { path: string; nid: string; status: string }[]).find(
      r => r.path === 'assets/renamed.bin'
    )
    expect(renamed).toMatchObject({ nid: c.nid, status: 'already-pinned' })
  })

  test('a sharded run is refused with the inputs, pointing to the merge step', async () => {
    const run = await nightly({ shard: '1/2', 'unpin-absent': 'plan' })
    expect(run.code).toBe(1)
    expect(errorLines(run).join('\n')).toMatch(
      /Input 'unpin-absent': is 'plan', but this run is shard 1\/2.*merge step/
    )
    expect([mock.requests, mock.nidRequests]).toEqual([[], []])
  })

  test('more absent than unpin-max: refused before any unpin, saying how to raise it', async () => {
    await pinThenDropC()
    await fs.rm(path.join(workspace, 'assets', 'b.bin'))
    const run = await nightly({ 'unpin-absent': 'true', 'unpin-max': '1' })
    expect(run.code).toBe(1)
    expect(unpins()).toEqual([])
    expect(errorLines(run).join('\n')).toMatch(
      /2 earlier pins are absent from this run, more than unpin-max \(1\).*unpin-max: 2/
    )
    expect((await ledger()).earlierPins).toHaveLength(2)
  })
})

test('the merge unpins what no shard holds, after merging the shards', async () => {
  const shards = (dir: string, extra: Record<string, string> = {}) =>
    Promise.all([1, 2].map(i => nightly({ shard: `${i}/2`, 'manifest-path': `${dir}/${i}/m.json`, ...extra })))
  const merge = (dir: string, extra: Record<string, string> = {}) =>
    runAction({
      workspace,
      bundle: MERGE_BUNDLE,
      inputs: { manifests: `${dir}/*/m.json`, 'manifest-path': 'merged.json', ...extra }
    })
  expect((await shards('night1', { 'previous-manifest': 'merged.json' })).map(r => r.code)).toEqual([0, 0])
  expect((await merge('night1')).code).toBe(0)
  const c = ((await ledger('merged.json')) as unknown as { results: { path: string; nid: string }[] }).results.find(
    r => r.path === 'assets/c.bin'
  )!
  await fs.rm(path.join(workspace, 'assets', 'c.bin'))
  mock.reset()
  expect((await shards('night2', { 'previous-manifest': 'merged.json' })).map(r => r.code)).toEqual([0, 0])
  const merged = await merge('night2', {
    'unpin-absent': 'true',
    'capture-token': TOKEN,
    'unpin-api-url': mock.urls.unpin,
    'max-monthly-cost': '0.5'
  })
  expect(merged.code).toBe(0)
  expect(unpins()).toMatchObject([{ nid: c.nid, status: 200 }])
  expect(JSON.parse(merged.outputs.unpinned)).toEqual([c.nid])
  expect(merged.summary).toMatch(/Cost of this run: ~0\.01 NUM .* of the budget \(max-monthly-cost\) of 0\.5 NUM/)
  const after = await ledger('merged.json')
  expect(after.earlierPins).toEqual([])
  expect(after.unpinned).toEqual([expect.objectContaining({ nid: c.nid, paths: ['assets/c.bin'] })])
})

describe('max-monthly-cost', () => {
  test('over the budget: refused before any request, naming both numbers and the files counted', async () => {
    const run = await nightly({ 'max-monthly-cost': '0.05' })
    expect(run.code).toBe(1)
    expect([mock.requests, mock.nidRequests]).toEqual([[], []])
    expect(errorLines(run).join('\n')).toMatch(
      /Input 'max-monthly-cost': this run would cost ~0\.087 NUM .*more than the budget of 0\.05 NUM; counted as new pins: assets\/a\.bin, assets\/b\.bin, assets\/c\.bin\. Nothing was sent/
    )
  })

  test('within the budget: the run pins, and the summary shows its cost against the budget', async () => {
    // Identical content counts once: four files, three pins.
    await fs.writeFile(path.join(workspace, 'assets', 'a-copy.bin'), 'asset a')
    const run = await nightly({ 'max-monthly-cost': '0.087' })
    expect(run.code).toBe(0)
    expect(mock.requests).toHaveLength(3)
    expect(run.summary).toMatch(
      /Cost of this run: ~0\.087 NUM \(3 new pins .* of the budget \(max-monthly-cost\) of 0\.087 NUM/
    )
    // The next night pays nothing: the previous manifest lists every file.
    mock.reset()
    const next = await nightly({ 'max-monthly-cost': '0' })
    expect(next.code).toBe(0)
    expect(mock.requests).toEqual([])
  })
})
