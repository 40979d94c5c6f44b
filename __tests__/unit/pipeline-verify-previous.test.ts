/**
 * verify-previous in the pipeline: earlier pins are checked (an injected checker, no HTTP) before they
 * let an entry be skipped; a missing pin is pinned again, a corrupt one fails its entry, a check that
 * errs keeps the entry already pinned and pays nothing.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cidOf } from '../../__fixtures__/cid.js'
import { FakeNumbersApi } from '../../__fixtures__/fake-numbers-api.js'
import type { LocalFile } from '../../src/discovery.js'
import type { Verdict, VerifyStatus } from '../../src/gateway/verdict.js'
import { GATEWAY_DOWN_AFTER } from '../../src/pipeline/previous-pins.js'
import { pipelineResults, type TestPipelineOptions } from '../helpers/pipeline.js'
import type { CheckPin, Entry, PipelineOptions } from '../../src/pipeline/types.js'
import type { EntryResult } from '../../src/types.js'

const GATEWAY = 'https://gw.example/ipfs/'
const DETAIL: Record<VerifyStatus, string> = {
  verified: 'root block: 1 bytes hashing to the Nid',
  missing: 'HTTP 404: the gateway does not have it',
  corrupt: "the gateway's root block (1 bytes) does not hash to the Nid: wrong bytes",
  error: 'the gateway answered HTTP 500 to 4 attempts; try again later or raise retries'
}

/** The gateway check, in memory: a verdict per Nid (verified unless told), every call recorded. */
class FakeGateway {
  readonly checked: string[] = []
  readonly verdicts = new Map<string, VerifyStatus>()
  private readonly gates = new Map<string, Promise<void>>()
  inFlight = 0
  maxInFlight = 0

  /** Holds the checks of `nid` until the returned function is called. */
  hold(nid: string): () => void {
    let release!: () => void
    this.gates.set(nid, new Promise<void>(resolve => (release = resolve)))
    return release
  }

  readonly check: CheckPin = async nid => {
    this.checked.push(nid)
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      await new Promise(resolve => setTimeout(resolve, 2))
      await this.gates.get(nid)
      const status = this.verdicts.get(nid) ?? 'verified'
      return { status, detail: DETAIL[status] } satisfies Verdict
    } finally {
      this.inFlight--
    }
  }
}

let dir: string
let messages: { level: string; text: string }[]
const log = {
  info: (text: string) => messages.push({ level: 'info', text }),
  warning: (text: string) => messages.push({ level: 'warning', text }),
  debug: (text: string) => messages.push({ level: 'debug', text })
}
const warnings = (): string[] => messages.filter(m => m.level === 'warning').map(m => m.text)

const nidOf = (content: string): Promise<string> => cidOf(Buffer.from(content), 1)

async function file(name: string, content: string): Promise<LocalFile> {
  const absolutePath = path.join(dir, name)
  await fs.writeFile(absolutePath, content)
  const { dev, ino } = await fs.stat(absolutePath)
  return { absolutePath, path: `out/${name}`, size: Buffer.byteLength(content), realPath: absolutePath, dev, ino }
}
/** Files, each `name: content`, as entries. */
const entries = async (specs: Record<string, string>): Promise<Entry[]> =>
  (await Promise.all(Object.entries(specs).map(([name, content]) => file(name, content)))).map(f => ({
    source: 'file',
    file: f
  }))
/** An earlier run's pins of these contents, with orders `old-<content>`. */
const previousOf = async (...contents: string[]): Promise<Map<string, { orderId: string }>> =>
  new Map(await Promise.all(contents.map(async c => [await nidOf(c), { orderId: `old-${c}` }] as const)))

const options = (
  api: FakeNumbersApi,
  gateway: FakeGateway | undefined,
  extra: Partial<PipelineOptions> = {}
): TestPipelineOptions => ({
  pin: true,
  nidSource: 'local',
  cidVersion: 1,
  concurrency: 4,
  gatewayUrl: GATEWAY,
  api,
  checkPin: gateway?.check,
  log,
  ...extra
})
const statuses = (results: EntryResult[]): string[] => results.map(r => r.status)

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-verify-'))
  messages = []
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe('verify-previous', () => {
  test('off (no checker): earlier pins are trusted as listed, and nothing is checked', async () => {
    const api = new FakeNumbersApi()
    const results = await pipelineResults(
      await entries({ 'a.txt': 'a' }),
      options(api, undefined, { previous: await previousOf('a') })
    )
    expect(statuses(results)).toEqual(['already-pinned'])
    expect(api.calls).toEqual([])
  })

  test('a pin the gateway serves is skipped, not paid again; new content is pinned without a check', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const results = await pipelineResults(
      await entries({ 'a.txt': 'a', 'b.txt': 'b' }),
      options(api, gateway, { previous: await previousOf('a') })
    )
    expect(results.map(r => [r.status, r.orderId])).toEqual([
      ['already-pinned', 'old-a'],
      ['pinned', 'order-1']
    ])
    expect(gateway.checked).toEqual([await nidOf('a')])
    expect(api.calls.map(c => `${c.method} ${c.key}`)).toEqual(['pin b.txt'])
    expect(warnings()).toEqual([])
  })

  test('a missing pin is pinned again: status repinned, its new order and file URL, the gateway link', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const nid = await nidOf('a')
    gateway.verdicts.set(nid, 'missing')
    const sent: number[] = []
    const [result] = await pipelineResults(
      await entries({ 'a.txt': 'a' }),
      options(api, gateway, { previous: await previousOf('a'), onPinSent: index => sent.push(index) })
    )
    expect(result).toMatchObject({
      status: 'repinned',
      nid,
      orderId: 'order-1',
      fileUrl: `https://gw.example/ipfs/${nid}`,
      gatewayUrl: `${GATEWAY}${nid}`
    })
    expect(result.error).toBeUndefined()
    expect(sent).toEqual([0])
    expect(api.calls.map(c => `${c.method} ${c.key}`)).toEqual(['pin a.txt'])
    expect(messages).toContainEqual({
      level: 'info',
      text: `out/a.txt: ${nid} (pinned by an earlier run, order old-a) is missing at ${GATEWAY} (${DETAIL.missing}); pinning it again`
    })
  })

  test('a corrupt pin fails its entry, saying what was found and that nothing was pinned; nothing is paid', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const nid = await nidOf('a')
    gateway.verdicts.set(nid, 'corrupt')
    const [result] = await pipelineResults(
      await entries({ 'a.txt': 'a' }),
      options(api, gateway, { previous: await previousOf('a') })
    )
    expect(result.status).toBe('failed')
    expect(result.orderId).toBeUndefined()
    expect(result.error).toBe(
      `out/a.txt: ${nid} (pinned by an earlier run, order old-a) is served by ${GATEWAY} with wrong bytes: ${DETAIL.corrupt}. Nothing was pinned again: a new pin of the same Nid would not change what the gateway serves. Check gateway-url (a proxy altering answers?) or check the Nid at another gateway with the verify sub-action; if Numbers' gateway serves these bytes, report the Nid to Numbers`
    )
    expect(api.calls).toEqual([])
  })

  test('a check that errs (gateway 500 after the retries) keeps the entry already pinned, with a warning, unpaid', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const nid = await nidOf('a')
    gateway.verdicts.set(nid, 'error')
    const [result] = await pipelineResults(
      await entries({ 'a.txt': 'a' }),
      options(api, gateway, { previous: await previousOf('a') })
    )
    expect(result).toMatchObject({ status: 'already-pinned', orderId: 'old-a', gatewayUrl: `${GATEWAY}${nid}` })
    expect(api.calls).toEqual([])
    expect(warnings()).toEqual([
      `out/a.txt: ${nid} (pinned by an earlier run, order old-a) could not be checked at ${GATEWAY} (${DETAIL.error}); kept as already pinned, not paid again on doubt. The next run with verify-previous checks it again`
    ])
  })

  test('identical content: one check and one re-pin; the copy shares the new order as already-pinned', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    gateway.verdicts.set(await nidOf('same'), 'missing')
    const results = await pipelineResults(
      await entries({ 'a.txt': 'same', 'b.txt': 'same' }),
      options(api, gateway, { previous: await previousOf('same') })
    )
    expect(results.map(r => [r.status, r.orderId])).toEqual([
      ['repinned', 'order-1'],
      ['already-pinned', 'order-1']
    ])
    expect(gateway.checked).toHaveLength(1)
    expect(api.callsOf({ method: 'pin' })).toHaveLength(1)
  })

  test('identical content served wrong: both entries fail, one check', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    gateway.verdicts.set(await nidOf('same'), 'corrupt')
    const results = await pipelineResults(
      await entries({ 'a.txt': 'same', 'b.txt': 'same' }),
      options(api, gateway, { previous: await previousOf('same') })
    )
    expect(statuses(results)).toEqual(['failed', 'failed'])
    expect(gateway.checked).toHaveLength(1)
    expect(api.calls).toEqual([])
  })

  test('a URL whose earlier pin is missing is pinned again too', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const address = 'https://files.example/a.bin'
    api.urls.set(address, Buffer.from('a'))
    gateway.verdicts.set(await nidOf('a'), 'missing')
    const [result] = await pipelineResults(
      [{ source: 'url', url: address, shown: address }],
      options(api, gateway, { previous: await previousOf('a') })
    )
    expect(result).toMatchObject({ status: 'repinned', orderId: 'order-1' })
    expect(api.calls.map(c => c.method)).toEqual(['getNid', 'pin'])
  })

  test(`a gateway that errs ${GATEWAY_DOWN_AFTER} times in a row is taken as down: the rest are not checked, nothing is paid`, async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const contents = ['a', 'b', 'c', 'd', 'e', 'f']
    for (const c of contents) gateway.verdicts.set(await nidOf(c), 'error')
    const results = await pipelineResults(
      await entries(Object.fromEntries(contents.map(c => [`${c}.txt`, c]))),
      options(api, gateway, { concurrency: 1, previous: await previousOf(...contents) })
    )
    expect(statuses(results)).toEqual(contents.map(() => 'already-pinned'))
    expect(gateway.checked).toHaveLength(GATEWAY_DOWN_AFTER)
    expect(api.calls).toEqual([])
    const said = warnings()
    expect(said).toHaveLength(GATEWAY_DOWN_AFTER + 1)
    expect(said.filter(w => w.startsWith(`${GATEWAY} failed`))).toEqual([
      `${GATEWAY} failed ${GATEWAY_DOWN_AFTER} checks in a row (last: ${DETAIL.error}); taken as down: the other earlier pins of this run are not checked and stay already pinned, not paid again. The next run with verify-previous checks them`
    ])
  })

  test('an answered check in between resets the count: a flaky gateway is not taken as down', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const contents = ['a', 'b', 'c', 'd', 'e']
    for (const c of ['a', 'b', 'd', 'e']) gateway.verdicts.set(await nidOf(c), 'error')
    await pipelineResults(
      await entries(Object.fromEntries(contents.map(c => [`${c}.txt`, c]))),
      options(api, gateway, { concurrency: 1, previous: await previousOf(...contents) })
    )
    expect(gateway.checked).toHaveLength(5)
  })

  test('checks run within concurrency', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const contents = Array.from({ length: 8 }, (_, i) => `content ${i}`)
    const results = await pipelineResults(
      await entries(Object.fromEntries(contents.map((c, i) => [`${i}.txt`, c]))),
      options(api, gateway, { concurrency: 2, previous: await previousOf(...contents) })
    )
    expect(statuses(results)).toEqual(contents.map(() => 'already-pinned'))
    expect(gateway.checked).toHaveLength(8)
    expect(gateway.maxInFlight).toBeLessThanOrEqual(2)
  })

  test('a check in flight when the run is cancelled starts no pin: the entry fails, saying so', async () => {
    const api = new FakeNumbersApi()
    const gateway = new FakeGateway()
    const nid = await nidOf('a')
    gateway.verdicts.set(nid, 'missing')
    const release = gateway.hold(nid)
    const controller = new AbortController()
    const sent: number[] = []
    const running = pipelineResults(
      await entries({ 'a.txt': 'a' }),
      options(api, gateway, {
        previous: await previousOf('a'),
        signal: controller.signal,
        onPinSent: index => sent.push(index)
      })
    )
    while (gateway.checked.length === 0) await new Promise(resolve => setImmediate(resolve))
    controller.abort()
    release()
    const [result] = await running
    expect(result.status).toBe('failed')
    expect(result.error).toBe(
      `out/a.txt: ${nid} is missing at ${GATEWAY}, but the run was cancelled before it was pinned again; the next run with verify-previous checks it again`
    )
    expect(sent).toEqual([])
    expect(api.calls).toEqual([])
  })
})
