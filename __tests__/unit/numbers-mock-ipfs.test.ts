/**
 * The Numbers mock's IPFS side: the gateway that serves what was pinned (file bytes, raw block,
 * CAR) and its scripted faults, Unpin and Check Nid on IPFS. Checked against the vectors and by
 * hashing what comes back, not against the mock's own code.
 */
import { CarReader } from '@ipld/car/reader'
import * as dagPb from '@ipld/dag-pb'
import { Agent, FormData, request } from 'undici'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { vectorBytes } from '../../__fixtures__/cid.js'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'

const TOKEN = 'mock-test-token'
const vector = (name: string): (typeof vectors.vectors)[number] => vectors.vectors.find(v => v.name === name)!
const hello = vector('hello')
const oneMiB = vector('one-mebibyte')
const HELLO = Buffer.from('hello world\n')
/** 1 MiB in four different chunks (the one-mebibyte vector's chunks are all the same). */
const FOUR_CHUNKS = Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 251)
const CAR_TYPE = 'application/vnd.ipld.car; version=1; order=dfs; dups=n'

const agent = new Agent()
let mock: NumbersMock

beforeAll(async () => {
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(() => {
  expect(mock.errors).toEqual([])
  mock.reset()
})
afterAll(async () => {
  await mock.close()
  await agent.close()
})

interface Answer {
  status: number
  type?: string
  bytes: Buffer
  json(): unknown
}

async function get(cid: string, query = '', headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const response = await request(`${mock.urls.gateway}${cid}${query}`, {
    method: method as 'GET',
    headers,
    dispatcher: agent
  })
  const bytes = Buffer.from(await response.body.arrayBuffer())
  const type = response.headers['content-type'] as string | undefined
  return { status: response.statusCode, type, bytes, json: () => JSON.parse(bytes.toString()) }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await request(url, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    dispatcher: agent
  })
  const bytes = Buffer.from(await response.body.arrayBuffer())
  const type = response.headers['content-type'] as string | undefined
  return { status: response.statusCode, type, bytes, json: () => JSON.parse(bytes.toString()) }
}

/** Pins bytes through the Pin endpoint, as the action does; returns the answer's CID. */
async function pin(bytes: Uint8Array, version: 0 | 1 = 1, endpoint = mock.urls.pin): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([bytes]), 'file.bin')
  form.append('version', String(version))
  const response = await request(endpoint, {
    method: 'POST',
    headers: { authorization: `token ${TOKEN}` },
    body: form,
    dispatcher: agent
  })
  expect(response.statusCode).toBe(200)
  return ((await response.body.json()) as { cid: string }).cid
}

const blockMatches = async (cid: CID, bytes: Uint8Array): Promise<boolean> =>
  Buffer.from((await sha256.digest(bytes)).digest).equals(Buffer.from(cid.multihash.digest))

/** The CAR's roots and blocks, each with whether its bytes hash to its CID. */
async function readCar(bytes: Uint8Array): Promise<{ roots: string[]; blocks: [string, Uint8Array, boolean][] }> {
  const reader = await CarReader.fromBytes(bytes)
  const blocks: [string, Uint8Array, boolean][] = []
  for await (const block of reader.blocks())
    blocks.push([block.cid.toString(), block.bytes, await blockMatches(block.cid, block.bytes)])
  return { roots: (await reader.getRoots()).map(String), blocks }
}

describe('the gateway serves what was pinned', () => {
  test('the file bytes by default, for CIDv1 and CIDv0', async () => {
    const v1 = await pin(vectorBytes(oneMiB), 1)
    const v0 = await pin(HELLO, 0)
    expect([v1, v0]).toEqual([oneMiB.cidV1, hello.cidV0])
    const file = await get(v1)
    expect([file.status, file.type]).toEqual([200, 'application/octet-stream'])
    expect(file.bytes.equals(Buffer.from(vectorBytes(oneMiB)))).toBe(true)
    expect((await get(v0)).bytes.toString()).toBe('hello world\n')
  })

  test('the raw root block for ?format=raw or Accept: application/vnd.ipld.raw', async () => {
    const cid = await pin(vectorBytes(oneMiB))
    for (const answer of [await get(cid, '?format=raw'), await get(cid, '', { accept: 'application/vnd.ipld.raw' })]) {
      expect([answer.status, answer.type]).toEqual([200, 'application/vnd.ipld.raw'])
      expect(await blockMatches(CID.parse(cid), answer.bytes)).toBe(true)
      // The root of a 1 MiB file: a dag-pb node linking its four 256 KiB leaves.
      expect(dagPb.decode(answer.bytes).Links).toHaveLength(4)
    }
    // A file of one chunk is a single raw block: its bytes are the file.
    expect((await get(await pin(HELLO), '?format=raw')).bytes.toString()).toBe('hello world\n')
  })

  test('a CARv1 of the whole DAG for ?format=car or Accept: application/vnd.ipld.car: root first, then the leaves in order', async () => {
    const bytes = FOUR_CHUNKS
    for (const version of [1, 0] as const) {
      const cid = await pin(bytes, version)
      for (const answer of [
        await get(cid, '?format=car'),
        await get(cid, '', { accept: 'application/vnd.ipld.car' })
      ]) {
        expect([answer.status, answer.type]).toEqual([200, CAR_TYPE])
        const car = await readCar(answer.bytes)
        expect(car.roots).toEqual([cid])
        expect(car.blocks.map(([key, , valid]) => [key === cid, valid])).toEqual([
          [true, true],
          ...Array(4).fill([false, true])
        ])
        const links = dagPb.decode(car.blocks[0][1]).Links.map(link => link.Hash.toString())
        expect(car.blocks.slice(1).map(([key]) => key)).toEqual(links)
      }
    }
  })

  test('a CAR has each block once: a file of identical chunks has one leaf block', async () => {
    const cid = await pin(vectorBytes(oneMiB))
    const car = await readCar((await get(cid, '?format=car')).bytes)
    expect(car.blocks.map(([, , valid]) => valid)).toEqual([true, true])
    expect((await get(cid)).bytes.equals(Buffer.from(vectorBytes(oneMiB)))).toBe(true)
  })

  test('with dups=y in the Accept header, a block linked twice is sent each time, and the answer says so', async () => {
    const cid = await pin(vectorBytes(oneMiB))
    const accept = 'application/vnd.ipld.car; version=1; order=dfs; dups=y'
    for (const query of ['?format=car', '']) {
      const answer = await get(cid, query, { accept })
      expect([answer.status, answer.type]).toEqual([200, 'application/vnd.ipld.car; version=1; order=dfs; dups=y'])
      const car = await readCar(answer.bytes)
      const leaf = dagPb.decode(car.blocks[0][1]).Links[0].Hash.toString()
      expect(car.blocks.map(([key, , valid]) => [key, valid])).toEqual([[cid, true], ...Array(4).fill([leaf, true])])
    }
  })

  test('every block of what was pinned, not only its root, until it is unpinned', async () => {
    const cid = await pin(FOUR_CHUNKS, 0)
    const links = dagPb.decode((await get(cid, '?format=raw')).bytes).Links.map(link => link.Hash)
    const leaf = await get(links[1].toString(), '?format=raw')
    expect([leaf.status, leaf.type, await blockMatches(links[1], leaf.bytes)]).toEqual([
      200,
      'application/vnd.ipld.raw',
      true
    ])
    const car = await readCar((await get(links[1].toString(), '?format=car')).bytes)
    expect(car).toEqual({ roots: [links[1].toString()], blocks: [[links[1].toString(), leaf.bytes, true]] })
    expect((await get(links[1].toString())).bytes.equals(Buffer.from(FOUR_CHUNKS.subarray(262144, 2 * 262144)))).toBe(
      true
    )
    await postJson(mock.urls.unpin, { nid: cid })
    expect((await get(links[1].toString(), '?format=raw')).status).toBe(404)
  })

  test('HEAD answers the headers only', async () => {
    const cid = await pin(HELLO)
    const answer = await get(cid, '?format=raw', {}, 'HEAD')
    expect([answer.status, answer.type, answer.bytes.length]).toEqual([200, 'application/vnd.ipld.raw', 0])
  })

  test('not served: content only asked about, never pinned, or not a CID; refused: other methods, other formats', async () => {
    const nidOnly = new FormData()
    nidOnly.append('file', new Blob([HELLO]), 'hello.txt')
    await request(mock.urls.nid, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}` },
      body: nidOnly,
      dispatcher: agent
    }).then(r => r.body.dump())
    expect((await get(hello.cidV1)).status).toBe(404)
    expect((await get('not-a-cid')).status).toBe(400)
    expect((await get(`${hello.cidV1}/sub/path`)).status).toBe(400)
    await pin(HELLO)
    expect((await get(hello.cidV1, '?format=tar')).status).toBe(400)
    expect((await get(hello.cidV1, '', {}, 'DELETE')).status).toBe(405)
    expect(mock.gatewayRequests.map(r => [r.method, r.status])).toEqual([
      ['GET', 404],
      ['GET', 400],
      ['GET', 400],
      ['GET', 400],
      ['DELETE', 405]
    ])
  })

  test('any spelling of the CID finds the content; every request is recorded', async () => {
    const cid = await pin(HELLO, 0)
    const v1Spelling = CID.parse(cid).toString()
    expect((await get(v1Spelling, '?format=car', { accept: 'text/html' })).status).toBe(200)
    expect(mock.gatewayRequests).toEqual([
      expect.objectContaining({
        endpoint: 'gateway',
        method: 'GET',
        url: `/ipfs/${cid}?format=car`,
        cid,
        accept: 'text/html',
        format: 'car',
        status: 200,
        contentType: CAR_TYPE
      })
    ])
  })

  test('an order taken before the answer was lost still pins', async () => {
    mock.script('pin', { reset: true, midResponse: true })
    await expect(pin(HELLO)).rejects.toThrow()
    expect(mock.pinnedNids()).toEqual([hello.cidV1])
    expect((await get(hello.cidV1)).status).toBe(200)
  })

  test('register() serves content nobody pinned through the mock', async () => {
    const cid = await mock.register(vectorBytes(oneMiB), 0)
    expect(cid).toBe(oneMiB.cidV0)
    expect(mock.pinnedNids()).toEqual([])
    expect((await get(cid)).bytes.length).toBe(oneMiB.size)
  })
})

describe('scripted gateway faults, per Nid', () => {
  test('404, 410 and 500 for the scripted Nid only, then the content again', async () => {
    const cid = await pin(HELLO)
    const other = await pin(Buffer.from('other'))
    mock.script({ endpoint: 'gateway', nid: cid }, { status: 404 }, { status: 410 }, { status: 500 })
    expect((await get(other)).status).toBe(200)
    expect([(await get(cid)).status, (await get(cid)).status, (await get(cid)).status]).toEqual([404, 410, 500])
    expect((await get(cid)).status).toBe(200)
    expect(mock.gatewayRequests.map(r => r.scripted)).toEqual([
      undefined,
      '{"status":404}',
      '{"status":410}',
      '{"status":500}',
      undefined
    ])
  })

  test('wrong bytes: the file, the raw block, and in a CAR the root block, each with a byte changed', async () => {
    const cid = await pin(FOUR_CHUNKS)
    const root = CID.parse(cid)
    mock.script({ endpoint: 'gateway', nid: cid }, { wrongBytes: true }, { wrongBytes: true }, { wrongBytes: true })
    const file = await get(cid)
    expect([file.status, file.bytes.length]).toEqual([200, FOUR_CHUNKS.length])
    expect(file.bytes.equals(Buffer.from(FOUR_CHUNKS))).toBe(false)
    const raw = await get(cid, '?format=raw')
    expect([raw.status, raw.type, await blockMatches(root, raw.bytes)]).toEqual([
      200,
      'application/vnd.ipld.raw',
      false
    ])
    const car = await readCar((await get(cid, '?format=car')).bytes)
    expect(car.blocks.map(([, , valid]) => valid)).toEqual([false, true, true, true, true])
  })

  test('a wrong block inside a CAR: the last block no longer hashes to its CID', async () => {
    const cid = await pin(FOUR_CHUNKS)
    mock.script({ endpoint: 'gateway', nid: cid }, { wrongBlock: true })
    const car = await readCar((await get(cid, '?format=car')).bytes)
    expect(car.blocks.map(([, , valid]) => valid)).toEqual([true, true, true, true, false])
  })

  test('a block missing from a CAR: the CAR ends cleanly before the last block', async () => {
    const cid = await pin(FOUR_CHUNKS)
    mock.script({ endpoint: 'gateway', nid: cid }, { missingBlock: true })
    const car = await readCar((await get(cid, '?format=car')).bytes)
    const links = dagPb.decode(car.blocks[0][1]).Links.map(link => link.Hash.toString())
    expect(car.blocks.map(([key, , valid]) => [key, valid])).toEqual([
      [cid, true],
      ...links.slice(0, -1).map(link => [link, true])
    ])
  })

  test('children first: every leaf before the root, declared order=unk or, falsely, order=dfs', async () => {
    const cid = await pin(FOUR_CHUNKS)
    const links = dagPb.decode((await get(cid, '?format=raw')).bytes).Links.map(link => link.Hash.toString())
    mock.script({ endpoint: 'gateway', nid: cid }, { childrenFirst: 'unk' }, { childrenFirst: 'dfs' })
    for (const order of ['unk', 'dfs']) {
      const answer = await get(cid, '?format=car')
      expect(answer.type).toBe(`application/vnd.ipld.car; version=1; order=${order}; dups=n`)
      const car = await readCar(answer.bytes)
      expect(car.roots).toEqual([cid])
      expect(car.blocks.map(([key, , valid]) => [key, valid])).toEqual([...links, cid].map(key => [key, true]))
    }
  })

  test('a redirect is answered as scripted, Location and all, not followed', async () => {
    const cid = await pin(HELLO)
    mock.script({ endpoint: 'gateway', nid: cid }, { status: 302, body: '', headers: { location: '/elsewhere' } })
    const response = await request(`${mock.urls.gateway}${cid}?format=raw`, { dispatcher: agent })
    await response.body.dump()
    expect([response.statusCode, response.headers.location]).toEqual([302, '/elsewhere'])
    expect(mock.gatewayRequests.map(r => r.status)).toEqual([302])
  })

  test('a gateway that ignores format=raw answers the file with another content type', async () => {
    const cid = await pin(vectorBytes(oneMiB))
    mock.script({ endpoint: 'gateway', nid: cid }, { ignoreFormat: true })
    const answer = await get(cid, '?format=raw')
    expect([answer.status, answer.type, answer.bytes.length]).toEqual([200, 'application/octet-stream', oneMiB.size])
    expect(mock.gatewayRequests[0]).toMatchObject({ format: 'raw', contentType: 'application/octet-stream' })
  })

  test('drip: the body a few bytes at a time (here the first 4, then nothing for a minute)', async () => {
    const cid = await pin(HELLO)
    mock.script({ endpoint: 'gateway', nid: cid }, { drip: { everyMs: 60_000, bytes: 4 } })
    const response = await request(`${mock.urls.gateway}${cid}`, { dispatcher: agent })
    expect(response.headers['content-length']).toBe('12')
    const iterator = response.body[Symbol.asyncIterator]()
    const first = (await iterator.next()).value as Buffer
    expect(first.toString()).toBe('hell')
    response.body.destroy()
  })

  test('a drip that is short sends the whole body', async () => {
    const cid = await pin(HELLO)
    mock.script({ endpoint: 'gateway', nid: cid }, { drip: { everyMs: 1, bytes: 5 } })
    expect((await get(cid)).bytes.toString()).toBe('hello world\n')
  })

  test('the generic faults apply to the gateway too: truncated, reset, HTML', async () => {
    const cid = await pin(HELLO)
    mock.script('gateway', { truncated: true }, { reset: true }, { html: true })
    expect((await get(cid)).bytes.toString()).toBe('hello ')
    await expect(get(cid)).rejects.toThrow()
    const page = await get(cid)
    expect([page.status, page.type]).toEqual([200, 'text/html'])
  })

  test('answers that cannot apply to an endpoint are refused when scripted, and skipped by "any"', async () => {
    expect(() => mock.script('gateway', { wrongCid: true })).toThrow(/does not apply to the gateway/)
    expect(() => mock.script('pin', { wrongBlock: true })).toThrow(/does not apply to the pin/)
    expect(() => mock.script('nid', { missingBlock: true })).toThrow(/does not apply to the nid/)
    expect(() => mock.script('check', { childrenFirst: 'unk' })).toThrow(/does not apply to the check/)
    mock.script('any', { wrongBytes: true })
    const cid = await pin(HELLO)
    expect(mock.pending()).toBe(1)
    expect((await get(cid)).bytes.toString()).not.toBe('hello world\n')
  })
})

describe('Unpin', () => {
  test('200 {"result": true}; the gateway stops serving it; a Nid never pinned gets the same answer', async () => {
    const cid = await pin(HELLO)
    const unpinned = await postJson(mock.urls.unpin, { nid: cid })
    expect([unpinned.status, unpinned.type, unpinned.json()]).toEqual([200, 'application/json', { result: true }])
    expect((await get(cid)).status).toBe(404)
    expect(mock.pinnedNids()).toEqual([])
    const never = await postJson(mock.urls.unpin, { nid: oneMiB.cidV1 })
    expect([never.status, never.json()]).toEqual([200, { result: true }])
    expect(mock.nidRequests).toEqual([
      expect.objectContaining({
        endpoint: 'unpin',
        method: 'POST',
        authorized: true,
        nid: cid,
        wasPinned: true,
        status: 200
      }),
      expect.objectContaining({ endpoint: 'unpin', nid: oneMiB.cidV1, wasPinned: false, status: 200 })
    ])
  })

  test('content registered by a test stays on the gateway', async () => {
    const cid = await mock.register(HELLO)
    expect((await postJson(mock.urls.unpin, { nid: cid })).status).toBe(200)
    expect((await get(cid)).status).toBe(200)
  })

  test('401 for a missing or wrong token, and nothing is unpinned', async () => {
    const cid = await pin(HELLO)
    for (const authorization of ['', 'token wrong', TOKEN]) {
      const answer = await postJson(mock.urls.unpin, { nid: cid }, { authorization })
      expect([answer.status, answer.json()]).toEqual([401, { detail: 'Invalid token.' }])
    }
    expect(mock.pinnedNids()).toEqual([cid])
  })

  test.each<[string, unknown, Record<string, string>, RegExp]>([
    ['malformed JSON', '{"nid": ', {}, /Malformed JSON/],
    ['not an object', '["x"]', {}, /not an object/],
    ['no nid', { cid: hello.cidV1 }, {}, /Missing 'nid'/],
    ['a nid that is not a string', { nid: 42 }, {}, /Missing 'nid'/],
    ['a nid that is not a CID', { nid: 'hello' }, {}, /Invalid nid 'hello'/],
    ['text/plain', hello.cidV1, { 'content-type': 'text/plain' }, /Unsupported content type 'text\/plain'/]
  ])('400 with a detail: %s', async (_name, body, headers, detail) => {
    const answer = await postJson(mock.urls.unpin, body, headers)
    expect(answer.status).toBe(400)
    expect((answer.json() as { detail: string }).detail).toMatch(detail)
    expect(mock.nidRequests[0]).toMatchObject({ status: 400, problem: expect.stringMatching(detail) })
  })

  test('scripted failures per Nid leave it pinned; 405 for anything but POST', async () => {
    const cid = await pin(HELLO)
    mock.script({ endpoint: 'unpin', nid: cid }, { status: 500 }, { html: true, status: 502 }, { reset: true })
    expect((await postJson(mock.urls.unpin, { nid: hello.cidV0 })).status).toBe(200)
    expect((await postJson(mock.urls.unpin, { nid: cid })).status).toBe(500)
    expect((await postJson(mock.urls.unpin, { nid: cid })).status).toBe(502)
    await expect(postJson(mock.urls.unpin, { nid: cid })).rejects.toThrow()
    expect(mock.pinnedNids()).toEqual([cid])
    const get = await request(mock.urls.unpin, { dispatcher: agent })
    await get.body.dump()
    expect(get.statusCode).toBe(405)
    expect(mock.nidRequests.map(r => [r.status, r.scripted])).toEqual([
      [200, undefined],
      [500, '{"status":500}'],
      [502, '{"html":true,"status":502}'],
      [0, '{"reset":true}'],
      [405, undefined]
    ])
  })
})

describe('Check Nid on IPFS', () => {
  test('{"nid", "on_ipfs"}: true while pinned or registered, false once unpinned or never pinned', async () => {
    const cid = await pin(HELLO)
    const registered = await mock.register(Buffer.from('someone else'))
    const check = async (nid: string): Promise<unknown> => (await postJson(mock.urls.check, { nid })).json()
    expect(await check(cid)).toEqual({ nid: cid, on_ipfs: true })
    expect(await check(registered)).toEqual({ nid: registered, on_ipfs: true })
    expect(await check(oneMiB.cidV1)).toEqual({ nid: oneMiB.cidV1, on_ipfs: false })
    await postJson(mock.urls.unpin, { nid: cid })
    expect(await check(cid)).toEqual({ nid: cid, on_ipfs: false })
    expect(mock.nidRequests.map(r => r.endpoint)).toEqual(['check', 'check', 'check', 'unpin', 'check'])
  })

  test('401, 400 and scripted faults as for Unpin', async () => {
    expect((await postJson(mock.urls.check, { nid: hello.cidV1 }, { authorization: 'token no' })).status).toBe(401)
    expect((await postJson(mock.urls.check, { nid: 'x' })).status).toBe(400)
    mock.script({ endpoint: 'check', nid: hello.cidV1 }, { truncated: true })
    const cut = await postJson(mock.urls.check, { nid: hello.cidV1 })
    expect(cut.status).toBe(200)
    expect(() => cut.json()).toThrow()
  })
})
