/**
 * The Numbers mock itself: its CIDs against the vectors, the contract it checks and answers, and
 * the faults it can be scripted to produce. Integration tests trust it, so it is tested on its own.
 */
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Agent, FormData, request } from 'undici'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { cidOf, vectorBytes, vectorChunks } from '../../__fixtures__/cid.js'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { startStaticServer, type StaticServer } from '../../__fixtures__/static-server.js'

const TOKEN = 'mock-test-token'
const vector = (name: string): (typeof vectors.vectors)[number] => vectors.vectors.find(v => v.name === name)!
const hello = vector('hello')
const oneMiB = vector('one-mebibyte')

/**
 * Our own dispatcher: on Node 24 outside Jest, undici 6's `request` through the global dispatcher
 * (shared with Node's built-in undici 7) never sends a FormData body.
 */
const agent = new Agent()
let mock: NumbersMock
let files: StaticServer
let dir: string

beforeAll(async () => {
  mock = await startNumbersMock({ token: TOKEN })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-mock-'))
  await fs.writeFile(path.join(dir, 'on-disk.bin'), vectorBytes(oneMiB))
  files = await startStaticServer({ files: { 'hello.txt': 'hello world\n' }, dir, status: { 'gone.txt': 410 } })
})
afterEach(() => {
  expect(mock.errors).toEqual([])
  mock.reset()
})
afterAll(async () => {
  await mock.close()
  await files.close()
  await agent.close()
  await fs.rm(dir, { recursive: true, force: true })
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json(): unknown
}

/** POSTs a body: a FormData as multipart, an object as JSON, a string as is. */
async function post(
  url: string,
  body: FormData | object | string,
  headers: Record<string, string> = { authorization: `token ${TOKEN}` }
): Promise<Answer> {
  const json = !(body instanceof FormData) && typeof body === 'object'
  const response = await request(url, {
    method: 'POST',
    headers: json ? { ...headers, 'content-type': 'application/json' } : headers,
    body: json ? JSON.stringify(body) : (body as FormData | string),
    dispatcher: agent
  })
  const text = await response.body.text()
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) }
}

function form(bytes: Uint8Array | string, fields: Record<string, string> = {}, name = 'hello.txt'): FormData {
  const data = new FormData()
  data.append('file', new Blob([bytes]), name)
  for (const [key, value] of Object.entries(fields)) data.append(key, value)
  return data
}

describe('cidOf matches every vector', () => {
  test.each(vectors.vectors.filter(v => v.name !== 'two-levels').map(v => [v.name, v] as const))(
    '%s',
    async (_name, v) => {
      const bytes = vectorBytes(v)
      expect(bytes.length).toBe(v.size)
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.sha256)
      expect(await cidOf(bytes, 1)).toBe(v.cidV1)
      expect(await cidOf(bytes, 0)).toBe(v.cidV0)
    }
  )

  test('two-levels (45 MiB + 7, generated in chunks)', async () => {
    const v = vector('two-levels')
    const hash = createHash('sha256')
    for (const chunk of vectorChunks(v)) hash.update(chunk)
    expect(hash.digest('hex')).toBe(v.sha256)
    expect(await cidOf(vectorChunks(v), 1)).toBe(v.cidV1)
    expect(await cidOf(vectorChunks(v), 0)).toBe(v.cidV0)
  })

  test('an async stream in uneven pieces gives the same CID as the whole', async () => {
    async function* pieces(): AsyncGenerator<Uint8Array> {
      yield* vectorChunks(oneMiB, 100_003)
    }
    expect(await cidOf(pieces(), 1)).toBe(oneMiB.cidV1)
  })
})

describe('answers the contract', () => {
  test('Get Nid from File, multipart: exactly {cid, fileSize, cid_version}, and records it', async () => {
    const answer = await post(mock.urls.nid, form('hello world\n', { version: '1' }))
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toBe('application/json')
    expect(answer.json()).toEqual({ cid: hello.cidV1, fileSize: 12, cid_version: 1 })
    expect(mock.requests).toEqual([
      expect.objectContaining({
        endpoint: 'nid',
        attempt: 1,
        method: 'POST',
        authorization: `token ${TOKEN}`,
        authorized: true,
        shape: 'multipart',
        fields: { version: '1' },
        fileName: 'hello.txt',
        size: 12,
        sha256: hello.sha256,
        version: 1,
        cid: hello.cidV1,
        pinned: false,
        status: 200,
        receivedAt: expect.any(Number)
      })
    ])
  })

  test('version 0 gives the CIDv0; no version means 1', async () => {
    expect((await post(mock.urls.nid, form('hello world\n', { version: '0' }))).json()).toMatchObject({
      cid: hello.cidV0,
      cid_version: 0
    })
    expect((await post(mock.urls.nid, form('hello world\n'))).json()).toMatchObject({
      cid: hello.cidV1,
      cid_version: 1
    })
  })

  test('Pin file to IPFS: the gateway fileURL and a fresh orderID for every pin', async () => {
    const bytes = vectorBytes(oneMiB)
    const first = (await post(mock.urls.pin, form(bytes, { version: '1', pin: 'true' }, 'app.bin'))).json()
    const second = (await post(mock.urls.pin, form(bytes, { version: '1', pin: 'true' }, 'app.bin'))).json()
    expect(first).toEqual({
      cid: oneMiB.cidV1,
      fileSize: oneMiB.size,
      cid_version: 1,
      fileURL: `https://ipfs-pin.numbersprotocol.io/ipfs/${oneMiB.cidV1}`,
      orderID: expect.stringMatching(/^order-\d+-\w+$/)
    })
    expect(second).toMatchObject({ cid: oneMiB.cidV1 })
    expect((second as { orderID: string }).orderID).not.toBe((first as { orderID: string }).orderID)
    // Same content twice: the second is attempt 2 (and a second order, paid twice).
    expect(mock.requests.map(r => [r.attempt, r.pinned, r.orderID])).toEqual([
      [1, true, (first as { orderID: string }).orderID],
      [2, true, (second as { orderID: string }).orderID]
    ])
  })

  test('pin=false on the pin endpoint answers as Get Nid, with no order', async () => {
    const answer = await post(mock.urls.pin, form('hello world\n', { pin: 'false' }))
    expect(answer.json()).toEqual({ cid: hello.cidV1, fileSize: 12, cid_version: 1 })
    expect(mock.requests[0]).toMatchObject({ endpoint: 'pin', pinned: false, fields: { pin: 'false' } })
    expect(mock.requests[0].orderID).toBeUndefined()
  })

  test('JSON fileURL: the mock fetches the URL and answers for the fetched bytes', async () => {
    const url = files.urlOf('hello.txt')
    const answer = await post(mock.urls.pin, { fileURL: url, version: 0, pin: true })
    expect(answer.json()).toMatchObject({ cid: hello.cidV0, fileSize: 12, cid_version: 0, orderID: expect.any(String) })
    const onDisk = await post(mock.urls.nid, { fileURL: files.urlOf('on-disk.bin') })
    expect(onDisk.json()).toEqual({ cid: oneMiB.cidV1, fileSize: oneMiB.size, cid_version: 1 })
    expect(mock.requests.map(r => [r.shape, r.fileURL, r.fields, r.sha256])).toEqual([
      ['json', url, { version: '0', pin: 'true' }, hello.sha256],
      ['json', files.urlOf('on-disk.bin'), {}, oneMiB.sha256]
    ])
  })
})

describe('refuses what the contract does not allow', () => {
  test('401 with {"detail":"Invalid token."} for a missing or wrong token, recording the header', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'token wrong' }, { authorization: TOKEN }]
    for (const headers of variants) {
      const answer = await post(mock.urls.pin, form('hello world\n'), headers)
      expect([answer.status, answer.json()]).toEqual([401, { detail: 'Invalid token.' }])
    }
    expect(mock.requests.map(r => [r.authorized, r.authorization, r.orderID])).toEqual([
      [false, undefined, undefined],
      [false, 'token wrong', undefined],
      [false, TOKEN, undefined]
    ])
  })

  test('405 for anything but POST', async () => {
    const response = await request(mock.urls.nid, { headers: { authorization: `token ${TOKEN}` }, dispatcher: agent })
    await response.body.dump()
    expect(response.statusCode).toBe(405)
    expect(mock.requests[0]).toMatchObject({ method: 'GET', status: 405 })
  })

  test.each<[string, () => FormData | object | string, Record<string, string>, RegExp]>([
    ['no file field', noFile, {}, /Missing the file/],
    ['file as a plain field', () => plainFile(), {}, /not a file/],
    ['version 2', () => form('hello world\n', { version: '2' }), {}, /Invalid version "2"/],
    ['pin maybe', () => form('hello world\n', { pin: 'maybe' }), {}, /Invalid pin "maybe"/],
    ['bad JSON', () => '{"fileURL": ', { 'content-type': 'application/json' }, /Malformed JSON/],
    ['JSON without fileURL', () => ({ version: 1 }), {}, /Missing 'fileURL'/],
    ['JSON version as a string', () => ({ fileURL: files.urlOf('hello.txt'), version: '1' }), {}, /version "1"/],
    ['JSON non-http fileURL', () => ({ fileURL: 'ftp://example.com/a' }), {}, /not an http\(s\) URL/],
    ['a fileURL that 404s', () => ({ fileURL: files.urlOf('nothing.bin') }), {}, /HTTP 404/],
    ['a fileURL answering 410', () => ({ fileURL: files.urlOf('gone.txt') }), {}, /HTTP 410/],
    ['a fileURL nobody serves', () => ({ fileURL: 'http://127.0.0.1:1/x' }), {}, /Could not fetch fileURL/],
    ['text/plain', () => 'hello world\n', { 'content-type': 'text/plain' }, /Unsupported content type 'text\/plain'/],
    ['a multipart body without its boundary', () => 'junk', { 'content-type': 'multipart/form-data' }, /Malformed/]
  ])('400 with a detail: %s', async (_name, body, headers, detail) => {
    const answer = await post(mock.urls.nid, body(), { authorization: `token ${TOKEN}`, ...headers })
    expect(answer.status).toBe(400)
    expect((answer.json() as { detail: string }).detail).toMatch(detail)
    expect(mock.requests).toHaveLength(1)
    expect(mock.requests[0]).toMatchObject({ status: 400, problem: expect.stringMatching(detail) })
  })
})

function noFile(): FormData {
  const data = new FormData()
  data.append('version', '1')
  return data
}

function plainFile(): FormData {
  const data = new FormData()
  data.append('file', 'hello world\n')
  return data
}

describe('scripted faults', () => {
  test('a scripted 500, then the normal answer; attempts counted per content', async () => {
    mock.script('pin', { status: 500 })
    const first = await post(mock.urls.pin, form('hello world\n'))
    const second = await post(mock.urls.pin, form('hello world\n'))
    expect([first.status, first.json()]).toEqual([500, { detail: 'Internal Server Error' }])
    expect(second.status).toBe(200)
    expect(mock.requests.map(r => [r.attempt, r.status, r.scripted])).toEqual([
      [1, 500, '{"status":500}'],
      [2, 200, undefined]
    ])
    expect(mock.pending()).toBe(0)
  })

  test('429 carries the scripted Retry-After header; a 400 the scripted body', async () => {
    mock.script(
      'any',
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 400, body: { detail: 'Insufficient balance' } }
    )
    const limited = await post(mock.urls.nid, form('hello world\n'))
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('3')
    const broke = await post(mock.urls.pin, form('hello world\n'))
    expect([broke.status, broke.json()]).toEqual([400, { detail: 'Insufficient balance' }])
  })

  test('scripted answers apply only to their endpoint and, if given, their file name', async () => {
    mock.script({ endpoint: 'pin', fileName: 'b.bin' }, { status: 403 })
    expect((await post(mock.urls.nid, form('b', {}, 'b.bin'))).status).toBe(200)
    expect((await post(mock.urls.pin, form('a', {}, 'a.bin'))).status).toBe(200)
    expect((await post(mock.urls.pin, form('b', {}, 'b.bin'))).status).toBe(403)
    mock.script({ fileName: 'hello.txt' }, { status: 503 })
    expect((await post(mock.urls.nid, { fileURL: files.urlOf('hello.txt') })).status).toBe(503)
  })

  test('an HTML proxy page, 200 unless told otherwise', async () => {
    mock.script('nid', { html: true }, { html: true, status: 502 })
    const page = await post(mock.urls.nid, form('hello world\n'))
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html'])
    expect(page.text).toMatch(/^<html>.*502 Bad Gateway/)
    expect((await post(mock.urls.nid, form('hello world\n'))).status).toBe(502)
  })

  test('bodies that are not the contract: truncated, empty, wrong CID, missing key, wrong types', async () => {
    mock.script(
      'pin',
      { truncated: true },
      { empty: true },
      { wrongCid: true },
      { missing: 'orderID' },
      { wrongTypes: true }
    )
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await post(mock.urls.pin, form('hello world\n')))
    const [truncated, empty, wrongCid, missing, wrongTypes] = answers
    expect(truncated.status).toBe(200)
    expect(truncated.text).toMatch(/^\{"cid":"bafkrei/)
    expect(() => truncated.json()).toThrow()
    expect([empty.status, empty.text, empty.headers['content-type']]).toEqual([200, '', 'application/json'])
    const lied = wrongCid.json() as { cid: string; fileURL: string }
    expect(lied.cid).toMatch(/^bafkrei/)
    expect(lied.cid).not.toBe(hello.cidV1)
    expect(lied.fileURL).toContain(lied.cid)
    expect(missing.json()).not.toHaveProperty('orderID')
    expect(wrongTypes.json()).toMatchObject({ cid: 42, fileSize: '12', cid_version: '1' })
    // The record keeps what the mock computed, whatever it answered.
    expect(mock.requests.every(r => r.cid === hello.cidV1 && r.status === 200)).toBe(true)
  })

  test('a scripted fault answers before the token check, and is recorded with its status', async () => {
    mock.script('nid', { status: 503 })
    expect((await post(mock.urls.nid, form('x'), {})).status).toBe(503)
    expect(mock.requests[0]).toMatchObject({ authorized: false, status: 503 })
  })

  test('a reset drops the connection, before or in the middle of the answer', async () => {
    mock.script('pin', { reset: true }, { reset: true, midResponse: true })
    await expect(post(mock.urls.pin, form('hello world\n'))).rejects.toThrow()
    await expect(post(mock.urls.pin, form('hello world\n'))).rejects.toThrow()
    expect(mock.requests.map(r => [r.attempt, r.status, r.pinned])).toEqual([
      [1, 0, false],
      [2, 0, true]
    ])
    expect((await post(mock.urls.pin, form('hello world\n'))).status).toBe(200)
  })

  test('reset() forgets requests, scripts and attempt counts', async () => {
    mock.script('any', { status: 500 }, { status: 500 })
    await post(mock.urls.nid, form('hello world\n'))
    mock.reset()
    expect(mock.requests).toEqual([])
    expect(mock.pending()).toBe(0)
    expect((await post(mock.urls.nid, form('hello world\n'))).status).toBe(200)
    expect(mock.requests[0].attempt).toBe(1)
  })
})

describe('timing and shutdown', () => {
  test('latency is per request, not serialised: 8 concurrent requests are all waiting at once', async () => {
    mock.setLatency(300)
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(mock.urls.nid, form(`file ${i}`, {}, `${i}.txt`)))
      )
      expect(answers.map(a => a.status)).toEqual(Array(8).fill(200))
      expect(mock.maxInFlight).toBe(8)
      for (const r of mock.requests) expect(r.answeredAt! - r.receivedAt).toBeGreaterThanOrEqual(290)
    } finally {
      mock.setLatency(0)
    }
  })

  test('delayMs delays one answer', async () => {
    mock.script('nid', { delayMs: 200 })
    expect((await post(mock.urls.nid, form('hello world\n'))).status).toBe(200)
    expect(mock.requests[0].answeredAt! - mock.requests[0].receivedAt).toBeGreaterThanOrEqual(190)
  })

  test('close() ends hung and delayed requests, so nothing is left running', async () => {
    const own = await startNumbersMock({ token: TOKEN, latencyMs: 10 })
    own.script('nid', { hang: true }, { delayMs: 60_000 })
    const hung = post(own.urls.nid, form('a'))
    const delayed = post(own.urls.nid, form('b'))
    hung.catch(() => undefined)
    delayed.catch(() => undefined)
    while (own.requests.length < 2) await new Promise(resolve => setTimeout(resolve, 10))
    await own.close()
    await expect(hung).rejects.toThrow()
    await expect(delayed).rejects.toThrow()
    expect(own.requests.map(r => r.status)).toEqual([0, 0])
    expect(own.errors).toEqual([])
  })
})

test('the static server: memory, disk, status overrides, and no way out of its directory', async () => {
  const get = async (url: string): Promise<[number, string]> => {
    const response = await request(url, { dispatcher: agent })
    return [response.statusCode, await response.body.text()]
  }
  const before = files.requests.length
  expect(await get(files.urlOf('hello.txt'))).toEqual([200, 'hello world\n'])
  expect((await get(files.urlOf('on-disk.bin')))[0]).toBe(200)
  expect((await get(files.urlOf('gone.txt')))[0]).toBe(410)
  expect((await get(`${files.url}/..%2F..%2Fetc%2Fpasswd`))[0]).toBe(404)
  files.setStatus('hello.txt', 500)
  expect((await get(files.urlOf('hello.txt')))[0]).toBe(500)
  files.setStatus('hello.txt', undefined)
  files.setFile('new dir/ü.txt', 'new')
  expect(await get(files.urlOf('new dir/ü.txt'))).toEqual([200, 'new'])
  expect(files.requests.slice(before).map(r => r.status)).toEqual([200, 200, 410, 404, 500, 200])
})
