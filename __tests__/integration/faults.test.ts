/**
 * Faults of a serverless API behind a proxy, and bad input, through the bundled action against the
 * scripted mock: exit code, the ::error:: text, what is kept, and the mock's request log.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { startNumbersMock, type NumbersMock, type ScriptedAnswer } from '../../__fixtures__/numbers-api.js'
import { errorLines, runAction, type ActionRun } from '../helpers/run-action.js'

const TOKEN = 'cap-9d2e7b41-secret-token'
const hello = vectors.vectors.find(v => v.name === 'hello')!

let workspace: string
let mock: NumbersMock
/** Every byte every run wrote, searched for the token at the end. */
const everything: string[] = []

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-faults-'))
  await fs.mkdir(path.join(workspace, 'dist'))
  await fs.writeFile(path.join(workspace, 'dist', 'hello.txt'), 'hello world\n')
  await fs.writeFile(path.join(workspace, 'dist', 'other.txt'), 'other file\n')
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(() => mock.reset())
afterAll(async () => {
  await mock.close()
  await fs.rm(workspace, { recursive: true, force: true })
})

async function pinHello(inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = await runAction({
    workspace,
    env: { ACTIONS_STEP_DEBUG: 'true' },
    inputs: {
      path: 'dist/hello.txt',
      'capture-token': TOKEN,
      'nid-api-url': mock.urls.nid,
      'pin-api-url': mock.urls.pin,
      timeout: '2',
      ...inputs
    }
  })
  const manifest = run.outputs.manifest ? await fs.readFile(run.outputs.manifest, 'utf8').catch(() => '') : ''
  everything.push(run.stdout, run.stderr, run.outputFile, run.summary, manifest)
  return run
}

const results = (run: ActionRun): { status: string; error?: string; orderId?: string; nid?: string }[] =>
  JSON.parse(run.outputs.results)

describe('retried: 429, 5xx, dropped connections, timeouts', () => {
  test.each<[string, ScriptedAnswer]>([
    ['500', { status: 500 }],
    ['502 HTML page from the proxy', { html: true, status: 502 }],
    ['503', { status: 503 }],
    ['504', { status: 504 }],
    ['429 with Retry-After seconds', { status: 429, headers: { 'retry-after': '1' } }],
    [
      '429 with Retry-After as an HTTP date',
      { status: 429, headers: { 'retry-after': new Date(Date.now() + 1000).toUTCString() } }
    ]
  ])('%s, then success: pinned on the second attempt', async (_name, fault) => {
    mock.script('pin', fault)
    const run = await pinHello()
    expect(run.code).toBe(0)
    expect(mock.requests.map(r => [r.attempt, r.status])).toEqual([
      [1, 'status' in fault && fault.status ? fault.status : 502],
      [2, 200]
    ])
    expect(results(run)[0]).toMatchObject({ status: 'pinned', nid: hello.cidV1, orderId: mock.requests[1].orderID })
  })

  test.each<[string, ScriptedAnswer]>([
    ['a connection reset', { reset: true }],
    ['a server that never answers (timeout)', { hang: true }]
  ])('%s is retried, with a warning that the pin may be billed twice', async (_name, fault) => {
    mock.script('pin', fault)
    const run = await pinHello({ timeout: '1' })
    expect(run.code).toBe(0)
    expect(mock.requests.map(r => r.attempt)).toEqual([1, 2])
    expect(run.stdout).toMatch(
      /::warning::Pin file to IPFS for dist\/hello\.txt: .*may have been pinned already.*billed twice/
    )
    expect(results(run)[0]).toMatchObject({ status: 'pinned', orderId: mock.requests[1].orderID })
  })

  test('a service failing every attempt: retries+1 attempts, then the entry fails', async () => {
    mock.script('pin', { status: 503 }, { status: 503 }, { status: 503 })
    const run = await pinHello({ retries: '2' })
    expect(run.code).toBe(1)
    expect(mock.requests.map(r => r.attempt)).toEqual([1, 2, 3])
    expect(errorLines(run)[0]).toContain('dist/hello.txt: Pin file to IPFS answered HTTP 503 to all 3 attempts')
    expect(results(run)[0].status).toBe('failed')
    expect(run.outputs['failed-count']).toBe('1')
  })
})

describe('never retried', () => {
  test.each<[string, ScriptedAnswer, RegExp]>([
    [
      '400 with detail',
      { status: 400, body: { detail: 'File type not allowed.' } },
      /refused the request \(HTTP 400: File type not allowed\.\)/
    ],
    [
      '400 insufficient funds',
      { status: 400, body: { message: 'Insufficient NUM balance' } },
      /insufficient funds .*wallet needs NUM/
    ],
    [
      '401',
      { status: 401, body: { detail: 'Invalid token.' } },
      /rejected the Capture Token \(HTTP 401: Invalid token\.\); check the capture-token input/
    ],
    ['403', { status: 403, body: { detail: 'Forbidden.' } }, /HTTP 403 forbidden: Forbidden\./],
    ['404', { status: 404 }, /was not found \(HTTP 404.*check pin-api-url/],
    [
      'a different CID (the bytes differ)',
      { wrongCid: true },
      /returned CID bafkreihdwd.* but the local Nid is bafkreifjjc/
    ]
  ])('%s: one attempt, the entry fails saying why', async (_name, fault, message) => {
    mock.script('pin', fault)
    const run = await pinHello()
    expect(run.code).toBe(1)
    expect(mock.requests).toHaveLength(1)
    expect(errorLines(run)[0]).toMatch(message)
    expect(results(run)[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(message) })
  })
})

test('a service that echoes the token back has it redacted from errors, outputs and manifest', async () => {
  mock.script('pin', { status: 400, body: { detail: `Token ${TOKEN} is not allowed` } })
  const run = await pinHello()
  expect(run.code).toBe(1)
  expect(errorLines(run)[0]).toContain('Token *** is not allowed')
  expect(results(run)[0].error).toContain('Token *** is not allowed')
})

test('a pin answered with another CID fails, but keeps the order it created, so it can be found', async () => {
  mock.script('pin', { wrongCid: true })
  const run = await pinHello()
  expect(run.code).toBe(1)
  const orderId = mock.requests[0].orderID
  expect(orderId).toMatch(/^order-/)
  expect(results(run)[0]).toMatchObject({ status: 'failed', orderId })
  expect(JSON.parse(run.outputs['order-ids'])).toEqual([orderId])
  const manifest = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8'))
  expect(manifest.results[0].orderId).toBe(orderId)
})

describe('answers that are not the contract’s JSON', () => {
  test.each<[string, ScriptedAnswer, RegExp]>([
    [
      'an HTML page with 200',
      { html: true, status: 200 },
      /HTTP 200 with text\/html that is not JSON: "<html><head><title>502 Bad Gateway/
    ],
    ['an empty body', { empty: true }, /HTTP 200 with application\/json that is not JSON: "\(empty body\)"/],
    ['truncated JSON', { truncated: true }, /HTTP 200 with application\/json that is not JSON: "\{"cid":"bafkrei/],
    ['no orderID', { missing: 'orderID' }, /answered HTTP 200 without a valid orderID/],
    ['no cid', { missing: 'cid' }, /without a valid cid/],
    ['wrong types', { wrongTypes: true }, /without a valid cid, fileSize, cid_version/]
  ])('%s fails the entry with status, content type and an excerpt', async (_name, fault, message) => {
    mock.script('pin', fault)
    const run = await pinHello()
    expect(run.code).toBe(1)
    expect(mock.requests).toHaveLength(1)
    expect(errorLines(run)[0]).toMatch(message)
  })
})

test('partial failure: the success is kept in outputs, summary and manifest; the step fails naming the failure', async () => {
  mock.script('pin', { status: 400, body: { detail: 'Nope.' } })
  const run = await pinHello({ path: 'dist/*.txt', concurrency: '1' })
  expect(run.code).toBe(1)
  const [first, second] = results(run)
  expect(first.status).toBe('failed')
  expect(second).toMatchObject({ status: 'pinned', orderId: expect.stringMatching(/^order-/) })
  expect(JSON.parse(run.outputs['order-ids'])).toEqual([second.orderId])
  expect(run.summary).toContain(second.orderId)
  expect(run.summary).toContain('Failures')
  const manifest = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8'))
  expect(manifest.results).toEqual(results(run))
  expect(errorLines(run)[0]).toMatch(
    /^1 of 2 entries failed:\n {2}- dist\/hello\.txt: Pin file to IPFS refused the request \(HTTP 400: Nope\.\)/
  )
})

test('cancellation (SIGTERM) writes the manifest of what finished and exits', async () => {
  await fs.mkdir(path.join(workspace, 'slow'), { recursive: true })
  for (const name of ['a', 'b', 'c']) await fs.writeFile(path.join(workspace, 'slow', `${name}.txt`), `slow ${name}`)
  mock.script('pin', { delayMs: 0 }, { delayMs: 30_000 })
  let stdout = ''
  const run = await runAction({
    workspace,
    inputs: { path: 'slow/*.txt', concurrency: '1', 'capture-token': TOKEN, 'pin-api-url': mock.urls.pin },
    onSpawn: child => {
      child.stdout?.on('data', chunk => {
        stdout += chunk
        // As the runner does: SIGINT, then SIGTERM, once a.txt is pinned and b.txt's pin is on the wire.
        if (!child.killed && stdout.includes('✓ slow/a.txt')) {
          const sent = setInterval(() => {
            if (mock.requests.length < 2) return
            clearInterval(sent)
            child.kill('SIGINT')
            child.kill('SIGTERM')
          }, 10)
        }
      })
    }
  })
  expect(run.code).toBe(1)
  expect(errorLines(run)[0]).toMatch(/Cancelled \(SIG(INT|TERM)\); 1 of 3 entries had finished/)
  const manifest = JSON.parse(await fs.readFile(path.join(run.temp, 'numbers-manifest.json'), 'utf8'))
  expect(manifest.complete).toBe(false)
  // a.txt finished; b.txt's pin was sent and never answered (possibly billed); c.txt never started.
  expect(manifest.results).toEqual([
    expect.objectContaining({ path: 'slow/a.txt', status: 'pinned', orderId: mock.requests[0].orderID }),
    expect.objectContaining({
      path: 'slow/b.txt',
      status: 'failed',
      error: expect.stringMatching(/may have been pinned and billed/)
    })
  ])
  expect(JSON.parse(run.outputs['order-ids'])).toEqual([mock.requests[0].orderID])
})

describe('bad input is refused before any request', () => {
  test.each<[string, Record<string, string>, RegExp]>([
    [
      'no token while pinning',
      { 'capture-token': '' },
      /Input 'capture-token': is empty, but pin: true sends files to Numbers/
    ],
    [
      'a non-http file URL',
      { 'file-urls': 'ftp://example.com/a' },
      /Input 'file-urls': 'ftp:\/\/example\.com\/a' is not a public http\(s\) URL/
    ],
    ['a bad gateway-url', { 'gateway-url': 'ipfs.io' }, /Input 'gateway-url': 'ipfs\.io' is not an http\(s\) URL/],
    ['a bad retries', { retries: '-1' }, /Input 'retries': '-1' must be a whole number from 0 to 10/],
    ['an absurd timeout', { timeout: '99999' }, /Input 'timeout': '99999' must be a whole number from 1 to 3600/],
    ['an unknown nid-source', { 'nid-source': 'remote' }, /Input 'nid-source': 'remote' is not one of local, api/],
    [
      'an unknown if-no-files-found',
      { 'if-no-files-found': 'fail' },
      /Input 'if-no-files-found': 'fail' is not one of error, warn, ignore/
    ],
    [
      'every file over max-file-size',
      { path: 'dist/*.txt', 'max-file-size': '10' },
      /^2 files cannot be used:\n {2}- dist\/hello\.txt: is 12 B, over max-file-size \(10 B\).*\n {2}- dist\/other\.txt: is 11 B, over max-file-size/
    ]
  ])('%s', async (_name, inputs, message) => {
    const run = await pinHello(inputs)
    expect(run.code).toBe(1)
    expect(errorLines(run)).toHaveLength(1)
    expect(errorLines(run)[0]).toMatch(message)
    expect(run.stdout).not.toMatch(/\n\s+at .*\.js:\d+/)
    expect(mock.requests).toEqual([])
  })
})

test('the token is never in anything any run above wrote, debug logging included', () => {
  expect(everything.length).toBeGreaterThan(50)
  for (const text of everything) {
    const shown = text
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')
    expect(shown).not.toContain(TOKEN)
  }
})
