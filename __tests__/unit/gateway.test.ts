/**
 * Trustless checks of Nids against the Numbers mock's gateway (__fixtures__/numbers-api.ts), whose
 * blocks and CARs come from ipfs-unixfs-importer and @ipld/car, not from the action's code.
 */
import { Agent } from 'undici'
import { startNumbersMock, type NumbersMock, type ScriptedAnswer } from '../../__fixtures__/numbers-api.js'
import { checkRootBlock, verifyNid, type GatewayOptions } from '../../src/gateway/check.js'

/** Three chunks and a parent (v1: raw leaves; v0: dag-pb leaves). */
const multiChunk = Uint8Array.from({ length: 3 * 262144 + 1000 }, (_, i) => (i * 31) % 251)
/** Four identical chunks: the parent links the same leaf four times. */
const repeated = new Uint8Array(4 * 262144)
const hello = new TextEncoder().encode('hello world\n')

let mock: NumbersMock
let agent: Agent
const nids: Record<string, string> = {}
const rawIgnored: string[] = []
const options = (): GatewayOptions => ({
  retries: 1,
  timeoutSeconds: 1,
  dispatcher: agent,
  backoffBaseMs: 1,
  onRawIgnored: type => rawIgnored.push(type)
})

beforeAll(async () => {
  mock = await startNumbersMock({ token: 'gateway-test-token' })
  agent = new Agent()
  nids.hello = await mock.register(hello)
  nids.multi = await mock.register(multiChunk)
  nids.multiV0 = await mock.register(multiChunk, 0)
  nids.repeated = await mock.register(repeated)
  nids.helloV0 = await mock.register(hello, 0)
})
afterAll(async () => {
  await agent.close()
  await mock.close()
})
beforeEach(() => {
  rawIgnored.length = 0
})
afterEach(() => {
  // Every scripted answer was asked for: each fault was met by exactly the requests counted.
  expect(mock.pending()).toBe(0)
  expect(mock.errors).toEqual([])
})

const gatewayUrl = (): string => mock.urls.gateway
const requests = () => mock.gatewayRequests
/** The next `times` gateway requests for `nid` get `answer`. */
const fault = (nid: string, answer: ScriptedAnswer, times = 1): void =>
  mock.script({ endpoint: 'gateway', nid }, ...Array<ScriptedAnswer>(times).fill(answer))
/** A gateway that is not trustless: the next `times` requests get the file's bytes, whatever was asked. */
const ignoreFormat = (times: number): void =>
  mock.script('gateway', ...Array<ScriptedAnswer>(times).fill({ ignoreFormat: true }))
/** 500 with `Retry-After: 0`, so the retries are quick. */
const error500: ScriptedAnswer = { status: 500, headers: { 'retry-after': '0' } }
/** The first bytes at once, then nothing for longer than any test runs. */
const drip: ScriptedAnswer = { drip: { everyMs: 600_000, bytes: 1 } }

const check = (nid: string, depth: 'block' | 'full' = 'block') => verifyNid(nid, gatewayUrl(), depth, options())

describe('block depth', () => {
  test.each(['hello', 'multi', 'multiV0', 'helloV0'])('%s: the raw root block hashes to the Nid', async name => {
    const result = await check(nids[name])
    expect(result).toMatchObject({ status: 'verified', proof: 'root-block' })
    expect(requests().at(-1)).toMatchObject({ format: 'raw', accept: 'application/vnd.ipld.raw' })
  })

  test('404 and 410 are missing, without retrying', async () => {
    fault(nids.multi, { status: 404 })
    const before = requests().length
    expect(await check(nids.multi)).toMatchObject({ status: 'missing', detail: expect.stringContaining('HTTP 404') })
    expect(requests().length - before).toBe(1)
    fault(nids.multi, { status: 410 })
    expect((await check(nids.multi)).status).toBe('missing')
  })

  test('a root block with one byte changed is corrupt', async () => {
    fault(nids.multi, { wrongBytes: true })
    expect(await check(nids.multi)).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash')
    })
  })

  test('HTTP 500 is retried, then an error naming the status', async () => {
    fault(nids.hello, error500, 2)
    const before = requests().length
    const result = await check(nids.hello)
    expect(result).toMatchObject({ status: 'error', detail: expect.stringContaining('HTTP 500 to 2 attempts') })
    expect(requests().length - before).toBe(2)
  })

  test('a gateway dripping bytes is cut off by the per-attempt timeout: missing after the retries', async () => {
    fault(nids.hello, drip, 2)
    const result = await check(nids.hello)
    expect(result).toMatchObject({ status: 'missing', detail: expect.stringContaining('timed out') })
  })

  test('a gateway ignoring format=raw: the full check of what it sent, and the caller told', async () => {
    ignoreFormat(2)
    expect(await check(nids.multi)).toMatchObject({ status: 'verified', proof: 'bytes' })
    expect(await check(nids.multiV0)).toMatchObject({ status: 'verified', proof: 'bytes' })
    expect(rawIgnored).toEqual(['application/octet-stream', 'application/octet-stream'])
  })

  test('checkRootBlock: verified, missing on 404/410 alone, corrupt, error', async () => {
    expect(await checkRootBlock(nids.hello, gatewayUrl(), options())).toMatchObject({ status: 'verified' })
    fault(nids.hello, { status: 404 })
    expect(await checkRootBlock(nids.hello, gatewayUrl(), options())).toEqual({
      status: 'missing',
      detail: 'HTTP 404: the gateway does not have it'
    })
    fault(nids.hello, { status: 410 })
    expect(await checkRootBlock(nids.hello, gatewayUrl(), options())).toMatchObject({ status: 'missing' })
    fault(nids.hello, { wrongBytes: true })
    expect(await checkRootBlock(nids.hello, gatewayUrl(), options())).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash to the Nid')
    })
    expect(await checkRootBlock('not-a-cid', gatewayUrl(), options())).toMatchObject({ status: 'error' })
  })

  test('a gateway that does not answer: missing to verifyNid, but only an error to checkRootBlock (a re-pin is paid)', async () => {
    // Nothing listens on port 1: every attempt is refused.
    const down = 'http://127.0.0.1:1/ipfs/'
    expect(await verifyNid(nids.hello, down, 'block', options())).toMatchObject({ status: 'missing' })
    expect(await checkRootBlock(nids.hello, down, options())).toEqual({
      status: 'error',
      detail: expect.stringMatching(/^no answer after 2 attempts: ECONNREFUSED/)
    })
  })

  test('verifyNid reports no field beyond the verdict and its proof', async () => {
    fault(nids.hello, { status: 404 })
    expect(await check(nids.hello)).toEqual({ status: 'missing', detail: 'HTTP 404: the gateway does not have it' })
  })

  test('a CID that is not a file Nid is an error before any request', async () => {
    const before = requests().length
    // dag-cbor, and an identity multihash
    expect((await check('bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')).detail).toMatch(/codec 0x71/)
    expect((await check('bafkqaaa')).detail).toMatch(/multihash 0x0/)
    expect(requests().length).toBe(before)
  })
})

describe('full depth', () => {
  test.each(['hello', 'multi', 'multiV0', 'repeated'])(
    '%s: every block of the CAR hashes and the DAG is whole',
    async name => {
      const result = await check(nids[name], 'full')
      expect(result).toMatchObject({ status: 'verified', proof: 'car' })
      expect(requests().at(-1)).toMatchObject({ format: 'car' })
      expect(requests().at(-1)?.accept).toContain('order=dfs; dups=y')
      // Answered as asked, so the walk keeps only the CIDs still expected.
      expect(requests().at(-1)?.contentType).toContain('order=dfs; dups=y')
    }
  )

  test('a wrong block inside the CAR is corrupt', async () => {
    fault(nids.multi, { wrongBlock: true })
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash to its CID')
    })
  })

  test('a CAR that stops before its last block is missing that block', async () => {
    fault(nids.multi, { missingBlock: true })
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'missing',
      detail: expect.stringContaining('without 1 linked block')
    })
  })

  test('children before their parent, declared order=unk: proven by the CIDs that arrived', async () => {
    fault(nids.multi, { childrenFirst: 'unk' })
    expect((await check(nids.multi, 'full')).status).toBe('verified')
    expect(requests().at(-1)?.contentType).toContain('order=unk')
  })

  test('children before their parent under a declared order=dfs, dups=y: they do not count', async () => {
    fault(nids.multi, { childrenFirst: 'dfs' })
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'missing',
      detail: expect.stringContaining('does not count under order=dfs')
    })
  })

  test('plain bytes instead of a CAR: the Nid recomputed from them', async () => {
    ignoreFormat(5)
    for (const name of ['hello', 'multi', 'multiV0', 'repeated', 'helloV0']) {
      expect(await check(nids[name], 'full')).toMatchObject({ status: 'verified', proof: 'bytes' })
    }
    // Full checks were asked for: nothing to say about format=raw.
    expect(rawIgnored).toEqual([])
  })
})
