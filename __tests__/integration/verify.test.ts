/**
 * The bundled verify action (dist/verify/index.js) run as the runner runs it, against the Numbers
 * mock's trustless gateway (__fixtures__/numbers-api.ts) and manifests written into a temp workspace.
 */
import { createHash } from 'node:crypto'
import { promises as fs, readFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { parse } from 'yaml'
import { startNumbersMock, type NumbersMock, type ScriptedAnswer } from '../../__fixtures__/numbers-api.js'
import { DEFAULT_GATEWAY_URL, VerifyInputs, VerifyOutputs } from '../../src/constants.js'
import { parseVerifyInputs } from '../../src/inputs/verify.js'
import { errorLines, node24, REPO_ROOT, runAction, VERIFY_BUNDLE, type ActionRun } from '../helpers/run-action.js'

const node = node24()?.node
const chunks = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n * 262144 + 7 }, (_, i) => (i * seed) % 251)

/** A well-formed CID that no gateway has. */
const absentNid = (i: number): string =>
  CID.createV1(0x55, createDigest(0x12, createHash('sha256').update(`absent ${i}`).digest())).toString()

let mock: NumbersMock
let workspace: string
const nids: Record<string, string> = {}
const runs: ActionRun[] = []

beforeAll(async () => {
  mock = await startNumbersMock({ token: 'verify-test-token' })
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-verify-'))
  nids.a = await mock.register(new TextEncoder().encode('hello world\n'))
  nids.b = await mock.register(chunks(3, 7))
  nids.c = await mock.register(chunks(2, 13), 0)
  nids.d = await mock.register(chunks(1, 17))
})
afterAll(async () => {
  await mock.close()
  await fs.rm(workspace, { recursive: true, force: true })
  for (const run of runs) await fs.rm(run.temp, { recursive: true, force: true })
})
afterEach(() => {
  // Every scripted answer was asked for: each fault was met by exactly the requests counted.
  expect(mock.pending()).toBe(0)
  expect(mock.errors).toEqual([])
})

const gatewayRequests = () => mock.gatewayRequests
/** The next `times` gateway requests for `nid` get `answer`. */
const fault = (nid: string, answer: ScriptedAnswer, times = 1): void =>
  mock.script({ endpoint: 'gateway', nid }, ...Array<ScriptedAnswer>(times).fill(answer))

/** A manifest as the pin action writes it (only the fields the verify action reads matter). */
function manifestOf(results: unknown[], earlierPins: unknown[] = []): string {
  return JSON.stringify({
    schema: 'numbers-pin-action/manifest@1',
    cidVersion: 1,
    complete: true,
    results,
    earlierPins
  })
}
const pinned = (nid: string, file: string): object => ({ source: 'file', path: file, nid, status: 'pinned' })

async function verify(manifest: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  await fs.writeFile(path.join(workspace, 'numbers-manifest.json'), manifest)
  const run = await runAction({
    node,
    bundle: VERIFY_BUNDLE,
    workspace,
    inputs: { manifest: 'numbers-manifest.json', 'gateway-url': mock.urls.gateway, retries: '1', ...inputs }
  })
  runs.push(run)
  return run
}

const warnings = (run: ActionRun): string[] =>
  run.stdout
    .split('\n')
    .filter(line => line.startsWith('::warning::'))
    .map(line => line.slice('::warning::'.length))

const everyNid = (): object[] => Object.entries(nids).map(([name, nid]) => pinned(nid, `out/${name}.bin`))

test('every pinned Nid verified: counts, results, report file and summary', async () => {
  const run = await verify(
    manifestOf(
      [...everyNid(), { source: 'file', path: 'out/x', nid: nids.a, status: 'nid-only' }],
      [{ nid: nids.d, cidVersion: 1 }]
    )
  )
  expect(run.code).toBe(0)
  expect(run.outputs).toMatchObject({
    'verified-count': '4',
    'missing-count': '0',
    'corrupt-count': '0',
    'error-count': '0'
  })
  const results = JSON.parse(run.outputs.results) as { nid: string; status: string; proof: string }[]
  expect(results.map(r => r.nid)).toEqual(Object.values(nids))
  expect(results.every(r => r.status === 'verified' && r.proof === 'root-block')).toBe(true)
  expect(run.outputs.report).toBe(path.join(run.temp, 'numbers-verify-report.json'))
  const report = JSON.parse(await fs.readFile(run.outputs.report, 'utf8'))
  expect(report).toMatchObject({ schema: 'numbers-pin-action/verify-report@1', depth: 'block', skippedEntries: 0 })
  expect(report.totals).toEqual({ verified: 4, missing: 0, corrupt: 0, error: 0 })
  expect(run.summary).toContain('4 pinned Nids · 4 verified · 0 missing · 0 corrupt · 0 error')
  expect(run.summary).toContain(`| [\`${nids.b}\`](${mock.urls.gateway}${nids.b}) | out/b.bin | ✅ verified |`)
})

test('missing (404), corrupt root block and HTTP 500 (retried, then error): problems first, step fails', async () => {
  fault(nids.b, { status: 404 })
  fault(nids.c, { wrongBytes: true })
  // Retry-After: 0, so the retry is quick.
  fault(nids.d, { status: 500, headers: { 'retry-after': '0' } }, 2)
  const before = gatewayRequests().filter(r => r.cid === nids.d).length
  const run = await verify(manifestOf(everyNid()))
  expect(run.code).toBe(1)
  expect(run.outputs).toMatchObject({
    'verified-count': '1',
    'missing-count': '1',
    'corrupt-count': '1',
    'error-count': '1'
  })
  expect(gatewayRequests().filter(r => r.cid === nids.d).length - before).toBe(2)
  const results = JSON.parse(run.outputs.results) as { nid: string; status: string }[]
  expect(results.map(r => r.status)).toEqual(['corrupt', 'missing', 'error', 'verified'])
  const errors = errorLines(run)
  expect(errors).toHaveLength(4)
  expect(errors[0]).toContain(`${nids.c} (out/c.bin) is corrupt`)
  expect(errors[2]).toContain('HTTP 500 to 2 attempts')
  expect(errors[3]).toMatch(/^3 of 4 pinned Nids are not proven \(1 missing, 1 corrupt, 1 error\)/)
  expect(run.summary.indexOf('❌ corrupt')).toBeLessThan(run.summary.indexOf('✅ verified'))
})

test('if-missing: warn reports the same problems as warnings and succeeds', async () => {
  fault(nids.b, { status: 410 })
  const run = await verify(manifestOf(everyNid()), { 'if-missing': 'warn' })
  expect(run.code).toBe(0)
  expect(run.outputs['missing-count']).toBe('1')
  expect(warnings(run)).toEqual([expect.stringContaining(`${nids.b} (out/b.bin) is missing: HTTP 410`)])
})

test('more than ten problems: nine annotations, one saying how many more, and the failure', async () => {
  const absent = Array.from({ length: 14 }, (_, i) => pinned(absentNid(i), `gone/${i}`))
  const run = await verify(manifestOf(absent), { concurrency: '4' })
  expect(run.code).toBe(1)
  expect(run.outputs['missing-count']).toBe('14')
  const errors = errorLines(run)
  expect(errors).toHaveLength(10)
  // Nine problems, then the failure, which says how many more the log holds.
  expect(errors[8]).toMatch(/is missing: HTTP 404/)
  expect(errors[9]).toMatch(/^14 of 14 pinned Nids are not proven/)
  expect(errors[9]).toContain('5 more errors than GitHub shows as annotations')
  expect(JSON.parse(run.outputs.results)).toHaveLength(14)
})

test('depth full: a wrong block inside the CAR is corrupt; whole DAGs are verified', async () => {
  fault(nids.b, { wrongBlock: true })
  const run = await verify(manifestOf(everyNid()), { depth: 'full' })
  expect(run.code).toBe(1)
  const results = JSON.parse(run.outputs.results) as { nid: string; status: string; proof: string; detail: string }[]
  expect(results[0]).toMatchObject({ nid: nids.b, status: 'corrupt', proof: 'car' })
  expect(results[0].detail).toContain('does not hash to its CID')
  expect(results.slice(1).map(r => [r.status, r.proof])).toEqual([
    ['verified', 'car'],
    ['verified', 'car'],
    ['verified', 'car']
  ])
})

test('a gateway ignoring format=raw: the full check of its answer, said once', async () => {
  mock.script('gateway', ...Array<ScriptedAnswer>(4).fill({ ignoreFormat: true }))
  const run = await verify(manifestOf(everyNid()))
  expect(run.code).toBe(0)
  expect(run.outputs['verified-count']).toBe('4')
  expect(JSON.parse(run.outputs.results).every((r: { proof: string }) => r.proof === 'bytes')).toBe(true)
  const said = warnings(run).filter(w => w.includes('ignores format=raw'))
  expect(said).toHaveLength(1)
  expect(said[0]).toContain('application/octet-stream')
})

test('a gateway dripping bytes is cut off at timeout: missing', async () => {
  // The first byte at once, then nothing for longer than the test runs.
  fault(nids.a, { drip: { everyMs: 600_000, bytes: 1 } })
  const run = await verify(manifestOf([pinned(nids.a, 'out/a.bin')]), { timeout: '1', retries: '0' })
  expect(run.code).toBe(1)
  expect(JSON.parse(run.outputs.results)[0]).toMatchObject({
    status: 'missing',
    detail: expect.stringContaining('timed out')
  })
})

describe('hostile manifests', () => {
  test('bad entries are skipped and counted, good ones checked, each Nid once', async () => {
    const run = await verify(
      manifestOf(
        [
          pinned(nids.a, 'out/a.bin'),
          pinned(nids.a, 'again/a.bin'),
          null,
          'text',
          { status: 'pinned', nid: 'not a cid' },
          { status: 'pinned', nid: { '/': nids.b } },
          { status: 'pinned', nid: `${nids.b}${'x'.repeat(300)}` },
          { status: 'owned', nid: nids.b },
          { status: 'pinned', nid: nids.c, path: '<img src=x>|`| **bold**'.repeat(100) },
          { status: 'failed', nid: nids.d }
        ],
        [{ nid: 42 }, { nid: nids.d }]
      )
    )
    expect(run.code).toBe(0)
    expect(run.outputs['verified-count']).toBe('3')
    expect(JSON.parse(run.outputs.results).map((r: { nid: string }) => r.nid)).toEqual([nids.a, nids.c, nids.d])
    expect(warnings(run)).toEqual(['numbers-manifest.json: 7 entries skipped, not checked (results[2]: not an object)'])
    expect(JSON.parse(await fs.readFile(run.outputs.report, 'utf8')).skippedEntries).toBe(7)
    // Shown escaped: no live HTML and no table-breaking pipe from the manifest.
    expect(run.summary).not.toMatch(/(?<!\\)<img/)
    const row = run.summary.split('\n').find(line => line.includes(nids.c)) ?? ''
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6)
  })

  test.each([
    ['not JSON', '{"results": [', /is not a manifest written by numbers-pin-action \(not valid JSON\)/],
    ['no results', '{"earlierPins": []}', /\(no results array\)/],
    ['an array', '[]', /\(not a JSON object\)/]
  ])('a manifest that is %s fails the step before any request', async (_what, content, message) => {
    const before = gatewayRequests().length
    const run = await verify(content)
    expect(run.code).toBe(1)
    expect(errorLines(run)).toEqual([expect.stringMatching(message)])
    expect(gatewayRequests().length).toBe(before)
  })

  test('a manifest over 64 MiB is refused unread', async () => {
    const big = path.join(workspace, 'big.json')
    const handle = await fs.open(big, 'w')
    await handle.truncate(64 * 2 ** 20 + 1)
    await handle.close()
    const run = await verify(manifestOf([]), { manifest: 'big.json' })
    await fs.rm(big)
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toMatch(/^big\.json: is 67108865 bytes, over the 67108864-byte cap/)
  })

  test('a glob matching no manifest fails; bad inputs are all listed', async () => {
    const none = await verify(manifestOf([]), { manifest: 'nothing/*.json' })
    expect(none.code).toBe(1)
    expect(errorLines(none)[0]).toMatch(/matches no manifest/)
    const bad = await verify(manifestOf([]), { depth: 'deep', 'if-missing': 'ignore', 'gateway-url': 'ftp://x' })
    expect(bad.code).toBe(1)
    expect(errorLines(bad)[0]).toMatch(/^3 inputs need fixing/)
  })
})

describe('verify/action.yml', () => {
  const action = parse(readFileSync(path.join(REPO_ROOT, 'verify', 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string; required?: boolean }>
    outputs: Record<string, unknown>
    runs: { using: string; main: string }
  }

  test('declares exactly the inputs and outputs the code reads and sets, and runs the verify bundle', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(VerifyInputs).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(VerifyOutputs).sort())
    expect(action.runs).toEqual({ using: 'node24', main: '../dist/verify/index.js' })
    expect(path.resolve(REPO_ROOT, 'verify', action.runs.main)).toBe(VERIFY_BUNDLE)
  })

  test('its defaults mean what the code assumes when an input is unset', () => {
    expect(action.inputs[VerifyInputs.GatewayUrl].default).toBe(DEFAULT_GATEWAY_URL)
    const env = { workspace: '/ws', runnerTemp: '/tmp/runner' }
    const given = (name: VerifyInputs): string => (name === VerifyInputs.Manifest ? 'm.json' : '')
    const withDefaults = parseVerifyInputs(name => given(name) || (action.inputs[name].default ?? ''), env)
    expect(withDefaults).toEqual(parseVerifyInputs(given, env))
  })
})
