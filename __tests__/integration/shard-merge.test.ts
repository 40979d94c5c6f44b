/**
 * A sharded run through the real bundles (pin: dist/index.js, merge: dist/merge/index.js) against the
 * repository's Numbers mock: four shard jobs and a merge give what one job gives, every shard's
 * manifest is checked by the merge, failures survive it, and a sharded nightly skips what the last
 * merged manifest lists.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { startStaticServer, type StaticServer } from '../../__fixtures__/static-server.js'
import { errorLines, MERGE_BUNDLE, runAction, type ActionRun } from '../helpers/run-action.js'

const TOKEN = 'capture-token-5b1e'
const SHARDS = 4

interface Result {
  source: 'file' | 'url'
  path?: string
  url?: string
  size?: number
  sha256?: string
  nid?: string
  cidVersion: number
  status: string
  orderId?: string
  gatewayUrl?: string
  error?: string
}

/** Deterministic bytes of a given seed (xorshift), so every file's content differs. */
function bytes(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

let workspace: string
let mock: NumbersMock
let files: StaticServer
let urls: string[]
/** Distinct contents: 32 files, one empty content (two files), and the URLs'. */
const DISTINCT_FILES = 33

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-shard-'))
  await fs.mkdir(path.join(workspace, 'dist', 'nested'), { recursive: true })
  // 10 KiB to 320 KiB, every size once, so a balance by bytes is possible.
  for (let i = 1; i <= 32; i++) {
    const name = i % 5 === 0 ? `nested/f${String(i).padStart(2, '0')}.bin` : `f${String(i).padStart(2, '0')}.bin`
    await fs.writeFile(path.join(workspace, 'dist', name), bytes(i, i * 10 * 1024))
  }
  // Identical content under other names: it must be pinned once, by one shard.
  await fs.writeFile(path.join(workspace, 'dist', 'copy-of-f07.bin'), bytes(7, 70 * 1024))
  await fs.writeFile(path.join(workspace, 'dist', 'empty-a'), '')
  await fs.writeFile(path.join(workspace, 'dist', 'empty-b'), '')
  mock = await startNumbersMock({ token: TOKEN })
  files = await startStaticServer({
    files: { 'u1.bin': bytes(101, 5000), 'u2.bin': bytes(102, 6000), 'u3.bin': bytes(103, 7000) }
  })
  // Sorted, so the single job's URL order (input order) is the merge's (sorted).
  urls = ['u1.bin', 'u2.bin', 'u3.bin'].map(name => `${files.url}/${name}`)
})
afterEach(() => mock.reset())
afterAll(async () => {
  await mock.close()
  await files.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

type Run = ActionRun & { checksums: string }

/** One action run; its runner temp folder (the checksums file) is read, then removed. */
async function run(inputs: Record<string, string>, bundle?: string): Promise<Run> {
  const done = await runAction({ workspace, bundle, inputs })
  const checksums = await fs.readFile(path.join(done.temp, 'numbers-checksums.txt'), 'utf8').catch(() => '')
  await fs.rm(done.temp, { recursive: true, force: true })
  return { ...done, checksums }
}

const pin = (inputs: Record<string, string>): Promise<Run> =>
  run({
    path: 'dist/**',
    'file-urls': urls.join('\n'),
    'capture-token': TOKEN,
    'nid-api-url': mock.urls.nid,
    'pin-api-url': mock.urls.pin,
    ...inputs
  })

/** The four shard jobs of one run, each writing `<dir>/<index>/numbers-manifest.json`, as download-artifact leaves them. */
const shardRuns = (dir: string, inputs: Record<string, string> = {}): Promise<Run[]> =>
  Promise.all(
    Array.from({ length: SHARDS }, (_, i) =>
      pin({ shard: `${i + 1}/${SHARDS}`, 'manifest-path': `${dir}/${i + 1}/numbers-manifest.json`, ...inputs })
    )
  )

const merge = (manifests: string, manifestPath: string): Promise<Run> =>
  run({ manifests, 'manifest-path': manifestPath }, MERGE_BUNDLE)

const readJson = async (file: string) => JSON.parse(await fs.readFile(path.resolve(workspace, file), 'utf8'))

/** What must not depend on how the work was split: everything but the order IDs and which duplicate paid. */
const identity = ({ source, path: p, url, size, sha256, nid, cidVersion, gatewayUrl }: Result) => ({
  source,
  path: p,
  url,
  size,
  sha256,
  nid,
  cidVersion,
  gatewayUrl
})

describe('four shards and a merge', () => {
  let single: Run
  let singlePins: number
  let shards: Run[]
  let shardPins: number
  let merged: Run

  beforeAll(async () => {
    single = await pin({ 'manifest-path': 'single/numbers-manifest.json' })
    singlePins = mock.requests.filter(r => r.endpoint === 'pin').length
    mock.reset()
    shards = await shardRuns('shards')
    shardPins = mock.requests.filter(r => r.endpoint === 'pin').length
    merged = await merge('shards/*/numbers-manifest.json', 'merged/numbers-manifest.json')
  })

  test('each shard succeeds and records its place and the same set', async () => {
    expect(single.code).toBe(0)
    expect(shards.map(s => s.code)).toEqual([0, 0, 0, 0])
    const manifests = await Promise.all(shards.map((_, i) => readJson(`shards/${i + 1}/numbers-manifest.json`)))
    expect(manifests.map(m => m.shard)).toEqual([1, 2, 3, 4].map(index => ({ index, total: 4 })))
    const [first] = manifests
    expect(first.fingerprint).toEqual({ count: 35 + urls.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(manifests.every(m => m.fingerprint.sha256 === first.fingerprint.sha256)).toBe(true)
    expect(shards[0].stdout).toMatch(/Shard 1\/4: \d+ of 35 files \(.+\) and \d of 3 URLs; set [0-9a-f]{12}/)
  })

  test('the shards balance the bytes: each within 25% of the mean', async () => {
    const manifests = await Promise.all(shards.map((_, i) => readJson(`shards/${i + 1}/numbers-manifest.json`)))
    const bytes = manifests.map(m =>
      (m.results as Result[]).filter(r => r.source === 'file').reduce((sum, r) => sum + (r.size ?? 0), 0)
    )
    const mean = bytes.reduce((a, b) => a + b) / SHARDS
    for (const b of bytes) expect(Math.abs(b - mean) / mean).toBeLessThan(0.25)
  })

  test('one order per distinct content, as one job pays: identical files stay in one shard', () => {
    expect(singlePins).toBe(DISTINCT_FILES + urls.length)
    expect(shardPins).toBe(singlePins)
  })

  test('the merge equals the single job: same entries, same Nids, same outputs', async () => {
    expect(merged.code).toBe(0)
    expect(errorLines(merged)).toEqual([])
    const one = JSON.parse(single.outputs.results) as Result[]
    const all = JSON.parse(merged.outputs.results) as Result[]
    expect(all.map(identity)).toEqual(one.map(identity))
    // Which of two identical files paid and which found it paid depends on timing, not on sharding.
    const statuses = (results: Result[]) => results.map(r => r.status).sort()
    expect(statuses(all)).toEqual(statuses(one))
    const orders = new Set(all.map(r => r.orderId))
    expect(orders.size).toBe(new Set(all.map(r => r.nid)).size)
    for (const name of ['count', 'pinned-count', 'failed-count', 'nid']) {
      expect([name, merged.outputs[name]]).toEqual([name, single.outputs[name]])
    }
    expect(JSON.parse(merged.outputs.nids)).toEqual(JSON.parse(single.outputs.nids))
    expect(JSON.parse(merged.outputs['order-ids'])).toHaveLength(shardPins)
    expect(merged.checksums).toBe(single.checksums)
    expect(merged.checksums.split('\n')).toHaveLength(35 + 1)
    expect(merged.summary).toContain(`${DISTINCT_FILES + urls.length} pinned now`)
  })

  test('the merged manifest has the schema of a single run, with the shard count and set instead of a shard', async () => {
    const manifest = await readJson('merged/numbers-manifest.json')
    const first = await readJson('shards/1/numbers-manifest.json')
    expect(merged.outputs.manifest).toBe(path.join(workspace, 'merged', 'numbers-manifest.json'))
    expect(manifest).toMatchObject({
      schema: 'numbers-pin-action/manifest@1',
      cidVersion: 1,
      complete: true,
      shards: 4,
      fingerprint: first.fingerprint,
      earlierPins: []
    })
    expect(manifest.shard).toBeUndefined()
    expect(manifest.results).toEqual(JSON.parse(merged.outputs.results))
    expect(Date.parse(manifest.startedAt)).toBeLessThanOrEqual(Date.parse(first.startedAt))
  })

  test('a missing shard, a shard given twice and a shard of another file set are refused', async () => {
    for (const i of [1, 2, 3]) {
      await fs.cp(path.join(workspace, 'shards', String(i)), path.join(workspace, 'three', String(i)), {
        recursive: true
      })
    }
    const missing = await merge('three/*/numbers-manifest.json', 'out/missing.json')
    expect(missing.code).toBe(1)
    expect(errorLines(missing)[0]).toMatch(/^Input 'manifests': shard 4\/4 missing: /)

    const twice = await merge('shards/*/numbers-manifest.json\nthree/2/numbers-manifest.json', 'out/twice.json')
    expect(twice.code).toBe(1)
    expect(errorLines(twice)[0]).toMatch(
      /shard 2\/4 twice: shards\/2\/numbers-manifest\.json and three\/2\/numbers-manifest\.json/
    )

    // Shard 4 of a run whose glob matched less: another set.
    const foreign = await pin({ path: 'dist/f0*', shard: '4/4', 'manifest-path': 'three/4/numbers-manifest.json' })
    expect(foreign.code).toBe(0)
    const mixed = await merge('three/*/numbers-manifest.json', 'out/mixed.json')
    expect(mixed.code).toBe(1)
    expect(errorLines(mixed)[0]).toMatch(/three\/4\/numbers-manifest\.json is a shard of another run or file set/)
    for (const refused of [missing, twice, mixed]) expect(refused.outputs.results).toBeUndefined()
    await expect(fs.readdir(path.join(workspace, 'out'))).rejects.toThrow(/ENOENT/)
  })

  test('nightly: every shard reads the last merged manifest and pays for nothing already pinned', async () => {
    // One file is gone tonight: its pin is carried forward once, not once per shard.
    const nightly = await shardRuns('nightly', {
      path: 'dist/**\n!dist/f01.bin',
      'previous-manifest': 'merged/numbers-manifest.json'
    })
    expect(nightly.map(s => s.code)).toEqual([0, 0, 0, 0])
    expect(mock.requests.filter(r => r.endpoint === 'pin')).toEqual([])
    const tonight = await merge('nightly/*/numbers-manifest.json', 'nightly-merged.json')
    expect(tonight.code).toBe(0)
    const last = (await readJson('merged/numbers-manifest.json')).results as Result[]
    const results = JSON.parse(tonight.outputs.results) as Result[]
    expect(results).toHaveLength(last.length - 1)
    expect(results.every(r => r.status === 'already-pinned')).toBe(true)
    const orderOf = new Map(last.map(r => [r.nid, r.orderId]))
    expect(results.every(r => orderOf.get(r.nid) !== undefined)).toBe(true)
    expect(JSON.parse(tonight.outputs['order-ids'])).toEqual([])
    const gone = last.find(r => r.path === 'dist/f01.bin')!
    const manifest = await readJson('nightly-merged.json')
    expect(manifest.earlierPins).toEqual([
      { nid: gone.nid, cidVersion: 1, orderId: gone.orderId, fileUrl: expect.any(String), paths: ['dist/f01.bin'] }
    ])
    expect(tonight.summary).toContain('0 pinned now')
  })
})

test('a shard that recorded failures fails the merge, and its failed entries are kept', async () => {
  mock.script({ endpoint: 'pin', fileName: 'f09.bin' }, { status: 400, body: { detail: 'rejected' } })
  const shards = await shardRuns('failing')
  expect(shards.map(s => s.code).sort()).toEqual([0, 0, 0, 1])
  const merged = await merge('failing/*/numbers-manifest.json', 'failing-merged.json')
  expect(merged.code).toBe(1)
  expect(merged.outputs['failed-count']).toBe('1')
  expect(merged.outputs.count).toBe(String(35 + urls.length))
  const failed = (JSON.parse(merged.outputs.results) as Result[]).filter(r => r.status === 'failed')
  expect(failed).toEqual([
    expect.objectContaining({ path: 'dist/f09.bin', error: expect.stringMatching(/^dist\/f09\.bin: /) })
  ])
  expect(errorLines(merged)[0]).toMatch(/^1 of 38 entries failed:\n {2}- dist\/f09\.bin: /)
  expect((await readJson('failing-merged.json')).results).toContainEqual(expect.objectContaining({ status: 'failed' }))
})

test('a bad shard value is refused with the inputs, before any request', async () => {
  for (const value of ['5/4', 'a/b']) {
    const refused = await pin({ shard: value })
    expect(refused.code).toBe(1)
    expect(errorLines(refused)[0]).toMatch(/^Input 'shard': .* is not INDEX\/TOTAL/)
  }
  expect(mock.requests).toEqual([])
})
