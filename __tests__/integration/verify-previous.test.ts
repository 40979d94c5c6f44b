/**
 * verify-previous through the bundle, against the Numbers mock and its gateway: a nightly run whose
 * previous manifest lists four pins, one served, one gone (404), one served with wrong bytes, one
 * behind a gateway answering 500. Read from the mock's request logs: what was paid, what was asked.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { errorLines, runAction, type ActionRun } from '../helpers/run-action.js'

const TOKEN = 'nightly-token-7d2e'
const CONTENT: Record<string, string> = {
  'served.bin': 'served by the gateway',
  'dropped.bin': 'dropped by the gateway',
  'corrupt.bin': 'served with wrong bytes',
  'flaky.bin': 'behind a gateway answering 500'
}
const RETRIES = 1

let workspace: string
let mock: NumbersMock

beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-verify-previous-'))
  await fs.mkdir(path.join(workspace, 'assets'))
  for (const [name, content] of Object.entries(CONTENT)) {
    await fs.writeFile(path.join(workspace, 'assets', name), content)
  }
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(async () => {
  await mock.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

type Result = { path?: string; status: string; orderId?: string; nid?: string; error?: string }
const byName = (run: ActionRun): Record<string, Result> =>
  Object.fromEntries((JSON.parse(run.outputs.results) as Result[]).map(r => [path.basename(r.path ?? ''), r]))
const warningLines = (run: ActionRun): string[] =>
  run.stdout
    .split('\n')
    .filter(line => line.startsWith('::warning::'))
    .map(line => line.slice('::warning::'.length))

const nightly = (extra: Record<string, string> = {}): Promise<ActionRun> =>
  runAction({
    workspace,
    inputs: {
      path: 'assets/*',
      'capture-token': TOKEN,
      'pin-api-url': mock.urls.pin,
      'nid-api-url': mock.urls.nid,
      'gateway-url': mock.urls.gateway,
      'previous-manifest': 'state/m.json',
      'manifest-path': 'state/m.json',
      retries: String(RETRIES),
      ...extra
    }
  })

/**
 * The first night pins every file; then the gateway loses them all and gets back all but
 * dropped.bin (which it now answers 404), serves corrupt.bin with a changed byte, and answers 500
 * for flaky.bin to every attempt. Returns the first night's results.
 */
async function pinnedThenDropped(): Promise<Record<string, Result>> {
  const first = await nightly()
  expect(first.code).toBe(0)
  const results = byName(first)
  mock.reset()
  for (const name of ['served.bin', 'corrupt.bin', 'flaky.bin']) await mock.register(Buffer.from(CONTENT[name]))
  mock.script({ endpoint: 'gateway', nid: results['corrupt.bin'].nid }, { wrongBytes: true })
  const fault = { status: 500, headers: { 'retry-after': '0' } }
  mock.script({ endpoint: 'gateway', nid: results['flaky.bin'].nid }, ...Array(RETRIES + 1).fill(fault))
  return results
}

test('a nightly run with verify-previous: served is skipped, 404 re-pinned, wrong bytes fail, a 500 is only a warning', async () => {
  const first = await pinnedThenDropped()
  const run = await nightly({ 'verify-previous': 'true' })

  // Only the dropped file was paid for again, as a new order.
  expect(mock.requests.map(r => `${r.endpoint} ${r.fileName}`)).toEqual(['pin dropped.bin'])
  const results = byName(run)
  expect(results['served.bin']).toMatchObject({ status: 'already-pinned', orderId: first['served.bin'].orderId })
  expect(results['dropped.bin']).toMatchObject({ status: 'repinned', nid: first['dropped.bin'].nid })
  expect(results['dropped.bin'].orderId).toBe(mock.requests[0].orderID)
  expect(results['dropped.bin'].orderId).not.toBe(first['dropped.bin'].orderId)
  expect(results['flaky.bin']).toMatchObject({ status: 'already-pinned', orderId: first['flaky.bin'].orderId })
  expect(results['corrupt.bin']).toMatchObject({ status: 'failed', nid: first['corrupt.bin'].nid })
  expect(results['corrupt.bin'].orderId).toBeUndefined()
  expect(results['corrupt.bin'].error).toMatch(
    /^assets\/corrupt\.bin: \S+ \(pinned by an earlier run, order \S+\) is served by http:\/\/127\.0\.0\.1:\d+\/ipfs\/ with wrong bytes: .*does not hash to the Nid.*Nothing was pinned again/
  )

  // Each earlier pin checked once at the gateway (flaky.bin once per attempt), as a raw root block.
  const asked = mock.gatewayRequests.map(r => r.cid)
  expect(asked.filter(cid => cid === first['flaky.bin'].nid)).toHaveLength(RETRIES + 1)
  expect(new Set(asked)).toEqual(new Set(Object.values(first).map(r => r.nid)))
  expect(mock.gatewayRequests.every(r => r.url.endsWith('?format=raw'))).toBe(true)

  // The failure fails the step; the 500 is a warning, not a failure.
  expect(run.code).toBe(1)
  expect(errorLines(run).join('\n')).toMatch(/1 of 4 entries failed:\n {2}- assets\/corrupt\.bin: .*wrong bytes/)
  expect(warningLines(run)).toEqual([
    expect.stringMatching(
      /^assets\/flaky\.bin: \S+ \(pinned by an earlier run, order \S+\) could not be checked at \S+ \(the gateway answered HTTP 500 to 2 attempts.*\); kept as already pinned, not paid again on doubt/
    )
  ])
  expect(run.outputs['pinned-count']).toBe('3')
  expect(run.outputs['failed-count']).toBe('1')
  expect(JSON.parse(run.outputs['order-ids'])).toEqual([results['dropped.bin'].orderId])
  expect(run.summary).toContain('4 entries · 0 pinned now · 1 re-pinned (missing at the gateway) · 2 already pinned')
  expect(run.summary).toContain('~0.029 NUM per month')
  expect(run.summary).toContain('🔁')

  // The ledger: the re-pin is a pin; the corrupt file's earlier pin is carried forward, to be checked again.
  const manifest = JSON.parse(await fs.readFile(path.join(workspace, 'state', 'm.json'), 'utf8'))
  expect(manifest.earlierPins.map((p: { nid: string }) => p.nid)).toEqual([first['corrupt.bin'].nid])
  mock.reset()
  const trusting = await nightly()
  expect(trusting.code).toBe(0)
  expect(mock.requests).toEqual([])
  expect(byName(trusting)['dropped.bin']).toMatchObject({
    status: 'already-pinned',
    orderId: results['dropped.bin'].orderId
  })
})

test('verify-previous: false (the default) trusts the previous manifest: no gateway request, nothing paid', async () => {
  await pinnedThenDropped()
  const run = await nightly()
  expect(run.code).toBe(0)
  expect(mock.gatewayRequests).toEqual([])
  expect(mock.requests).toEqual([])
  expect(Object.values(byName(run)).map(r => r.status)).toEqual(Array(4).fill('already-pinned'))
})

test('a gateway that is down neither pays again nor fails: every earlier pin stays already pinned, with warnings', async () => {
  await pinnedThenDropped()
  // Nothing listens on port 1: every check is refused.
  const run = await nightly({ 'verify-previous': 'true', 'gateway-url': 'http://127.0.0.1:1/ipfs/' })
  expect(run.code).toBe(0)
  expect(mock.requests).toEqual([])
  expect(Object.values(byName(run)).map(r => r.status)).toEqual(Array(4).fill('already-pinned'))
  const warnings = warningLines(run)
  expect(warnings.some(w => /could not be checked at .*no answer after 2 attempts: ECONNREFUSED/.test(w))).toBe(true)
  expect(warnings.some(w => /failed 3 checks in a row .*taken as down/.test(w))).toBe(true)
})

test('verify-previous without previous-manifest is an input error, before any request', async () => {
  const run = await nightly({ 'verify-previous': 'true', 'previous-manifest': '' })
  expect(run.code).toBe(1)
  expect(errorLines(run)[0]).toMatch(/^Input 'verify-previous': is true, but previous-manifest is not set/)
  expect(mock.requests).toEqual([])
  expect(mock.gatewayRequests).toEqual([])
})
