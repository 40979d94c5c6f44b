/**
 * Trustless checks of Nids against a real local gateway (__fixtures__/gateway-server.ts), whose
 * blocks and CARs come from ipfs-unixfs-importer and @ipld/car, not from the action's code.
 */
import { Agent } from 'undici'
import { startGatewayServer, type GatewayServer } from '../../__fixtures__/gateway-server.js'
import { checkRootBlock, verifyNid, type GatewayOptions } from '../../src/gateway/check.js'

/** Three chunks and a parent (v1: raw leaves; v0: dag-pb leaves). */
const multiChunk = Uint8Array.from({ length: 3 * 262144 + 1000 }, (_, i) => (i * 31) % 251)
/** Four identical chunks: the parent links the same leaf four times. */
const repeated = new Uint8Array(4 * 262144)
const hello = new TextEncoder().encode('hello world\n')

let gateway: GatewayServer
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
  gateway = await startGatewayServer()
  agent = new Agent()
  nids.hello = await gateway.add(hello)
  nids.multi = await gateway.add(multiChunk)
  nids.multiV0 = await gateway.add(multiChunk, 0)
  nids.repeated = await gateway.add(repeated)
  nids.helloV0 = await gateway.add(hello, 0)
})
afterAll(async () => {
  await agent.close()
  await gateway.close()
})
beforeEach(() => {
  rawIgnored.length = 0
  gateway.ignoreFormat = false
})

const check = (nid: string, depth: 'block' | 'full' = 'block') => verifyNid(nid, gateway.url, depth, options())

describe('block depth', () => {
  test.each(['hello', 'multi', 'multiV0', 'helloV0'])('%s: the raw root block hashes to the Nid', async name => {
    const result = await check(nids[name])
    expect(result).toMatchObject({ status: 'verified', proof: 'root-block' })
    expect(gateway.requests.at(-1)).toMatchObject({ format: 'raw', accept: 'application/vnd.ipld.raw' })
  })

  test('404 and 410 are missing, without retrying', async () => {
    gateway.setFault(nids.multi, 'missing')
    const before = gateway.requests.length
    expect(await check(nids.multi)).toMatchObject({ status: 'missing', detail: expect.stringContaining('HTTP 404') })
    expect(gateway.requests.length - before).toBe(1)
    gateway.setFault(nids.multi, 'gone')
    expect((await check(nids.multi)).status).toBe('missing')
    gateway.setFault(nids.multi, undefined)
  })

  test('a root block with one byte changed is corrupt', async () => {
    gateway.setFault(nids.multi, 'corrupt-raw')
    expect(await check(nids.multi)).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash')
    })
    gateway.setFault(nids.multi, undefined)
  })

  test('HTTP 500 is retried, then an error naming the status', async () => {
    gateway.setFault(nids.hello, 'error-500')
    const before = gateway.requests.length
    const result = await check(nids.hello)
    expect(result).toMatchObject({ status: 'error', detail: expect.stringContaining('HTTP 500 to 2 attempts') })
    expect(gateway.requests.length - before).toBe(2)
    gateway.setFault(nids.hello, undefined)
  })

  test('a gateway dripping bytes is cut off by the per-attempt timeout: missing after the retries', async () => {
    gateway.setFault(nids.hello, 'drip')
    const result = await check(nids.hello)
    expect(result).toMatchObject({ status: 'missing', detail: expect.stringContaining('timed out') })
    gateway.setFault(nids.hello, undefined)
  })

  test('a gateway ignoring format=raw: the full check of what it sent, and the caller told', async () => {
    gateway.ignoreFormat = true
    expect(await check(nids.multi)).toMatchObject({ status: 'verified', proof: 'bytes' })
    expect(await check(nids.multiV0)).toMatchObject({ status: 'verified', proof: 'bytes' })
    expect(rawIgnored).toEqual(['application/octet-stream', 'application/octet-stream'])
  })

  test('checkRootBlock: verified, missing on 404/410 alone, corrupt, error', async () => {
    expect(await checkRootBlock(nids.hello, gateway.url, options())).toMatchObject({ status: 'verified' })
    gateway.setFault(nids.hello, 'missing')
    expect(await checkRootBlock(nids.hello, gateway.url, options())).toEqual({
      status: 'missing',
      detail: 'HTTP 404: the gateway does not have it'
    })
    gateway.setFault(nids.hello, 'gone')
    expect(await checkRootBlock(nids.hello, gateway.url, options())).toMatchObject({ status: 'missing' })
    gateway.setFault(nids.hello, 'corrupt-raw')
    expect(await checkRootBlock(nids.hello, gateway.url, options())).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash to the Nid')
    })
    gateway.setFault(nids.hello, undefined)
    expect(await checkRootBlock('not-a-cid', gateway.url, options())).toMatchObject({ status: 'error' })
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
    gateway.setFault(nids.hello, 'missing')
    expect(await check(nids.hello)).toEqual({ status: 'missing', detail: 'HTTP 404: the gateway does not have it' })
    gateway.setFault(nids.hello, undefined)
  })

  test('a CID that is not a file Nid is an error before any request', async () => {
    const before = gateway.requests.length
    // dag-cbor, and an identity multihash
    expect((await check('bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')).detail).toMatch(/codec 0x71/)
    expect((await check('bafkqaaa')).detail).toMatch(/multihash 0x0/)
    expect(gateway.requests.length).toBe(before)
  })
})

describe('full depth', () => {
  test.each(['hello', 'multi', 'multiV0', 'repeated'])(
    '%s: every block of the CAR hashes and the DAG is whole',
    async name => {
      const result = await check(nids[name], 'full')
      expect(result).toMatchObject({ status: 'verified', proof: 'car' })
      expect(gateway.requests.at(-1)).toMatchObject({ format: 'car' })
      expect(gateway.requests.at(-1)?.accept).toContain('order=dfs; dups=y')
    }
  )

  test('a wrong block inside the CAR is corrupt', async () => {
    gateway.setFault(nids.multi, 'wrong-car-block')
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'corrupt',
      detail: expect.stringContaining('does not hash to its CID')
    })
    gateway.setFault(nids.multi, undefined)
  })

  test('a CAR that stops before its last block is missing that block', async () => {
    gateway.setFault(nids.multi, 'truncated-car')
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'missing',
      detail: expect.stringContaining('without 1 linked block')
    })
    gateway.setFault(nids.multi, undefined)
  })

  test('children before their parent, declared order=unk: proven by the CIDs that arrived', async () => {
    gateway.setFault(nids.multi, 'children-first')
    expect((await check(nids.multi, 'full')).status).toBe('verified')
    gateway.setFault(nids.multi, undefined)
  })

  test('children before their parent under a declared order=dfs, dups=y: they do not count', async () => {
    gateway.setFault(nids.multi, 'children-first-declared-dfs')
    expect(await check(nids.multi, 'full')).toMatchObject({
      status: 'missing',
      detail: expect.stringContaining('does not count under order=dfs')
    })
    gateway.setFault(nids.multi, undefined)
  })

  test('plain bytes instead of a CAR: the Nid recomputed from them', async () => {
    gateway.ignoreFormat = true
    for (const name of ['hello', 'multi', 'multiV0', 'repeated', 'helloV0']) {
      expect(await check(nids[name], 'full')).toMatchObject({ status: 'verified', proof: 'bytes' })
    }
    // Full checks were asked for: nothing to say about format=raw.
    expect(rawIgnored).toEqual([])
  })
})
