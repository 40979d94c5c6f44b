import { closeSync, openSync, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { ApiError } from '../../src/errors.js'
import { excerpt } from '../../src/numbers/answers.js'
import { NumbersClient } from '../../src/numbers/client.js'

const TOKEN = 'unit-token'
let mock: NumbersMock
let dir: string
let file: string
let fd: number

beforeAll(async () => {
  mock = await startNumbersMock({ token: TOKEN })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'client-'))
  file = path.join(dir, 'hello.txt')
  await fs.writeFile(file, 'hello world\n')
  fd = openSync(file, 'r')
})
afterEach(() => mock.reset())
afterAll(async () => {
  closeSync(fd)
  await mock.close()
  await fs.rm(dir, { recursive: true, force: true })
})

interface Logged {
  info: string[]
  warning: string[]
}

function client(logged: Logged = { info: [], warning: [] }, token = TOKEN): NumbersClient {
  return new NumbersClient({
    token,
    nidApiUrl: mock.urls.nid,
    pinApiUrl: mock.urls.pin,
    retries: 2,
    timeoutSeconds: 1,
    userAgent: 'test',
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    log: { info: m => logged.info.push(m), warning: m => logged.warning.push(m) }
  })
}
const upload = () => ({ kind: 'file' as const, fd, name: 'hello.txt', shown: 'dist/hello.txt', size: 12 })

test('pins a file as multipart and parses the contract’s answer', async () => {
  const answer = await client().pin(upload(), 1)
  expect(answer).toEqual({
    cid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    fileSize: 12,
    cidVersion: 1,
    fileUrl: 'https://ipfs-pin.numbersprotocol.io/ipfs/bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    orderId: mock.requests[0].orderID
  })
  expect(mock.requests[0]).toMatchObject({ authorization: `token ${TOKEN}`, fields: { version: '1', pin: 'true' } })
})

test('retries a 503 and a reset with a fresh body each time, reporting each retry', async () => {
  const logged: Logged = { info: [], warning: [] }
  mock.script('nid', { status: 503 }, { reset: true })
  const answer = await client(logged).getNid(upload(), 0)
  expect(answer.cid).toBe('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o')
  expect(mock.requests.map(r => [r.attempt, r.size])).toEqual([
    [1, 12],
    [2, 12],
    [3, 12]
  ])
  // Retry lines name the endpoint and the file's workspace path; a Nid request cannot bill twice.
  expect(logged.info).toEqual([
    expect.stringMatching(/^Get Nid from File for dist\/hello\.txt: HTTP 503; attempt 2 of 3 in /),
    expect.stringMatching(/^Get Nid from File for dist\/hello\.txt: (ECONNRESET|UND_ERR_SOCKET); attempt 3 of 3 in /)
  ])
  expect(logged.warning).toEqual([])
})

test('a pin retried after a dropped connection warns that it may be billed twice', async () => {
  const logged: Logged = { info: [], warning: [] }
  mock.script('pin', { reset: true })
  await client(logged).pin(upload(), 1)
  expect(logged.warning).toEqual([
    expect.stringMatching(/may be billed twice; check your Capture account's orders for dist\/hello\.txt/)
  ])
})

test('a 429 slows the whole client: a request started during its Retry-After waits it out', async () => {
  const logged: Logged = { info: [], warning: [] }
  const shared = client(logged)
  mock.script('pin', { status: 429, headers: { 'retry-after': '1' } })
  const first = shared.pin(upload(), 1)
  // Once the client has taken the 429 in (its retry line is logged), another request starts.
  while (logged.info.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
  const second = shared.pin(upload(), 1)
  await Promise.all([first, second])
  const [told, ...after] = mock.requests
  expect(after).toHaveLength(2)
  // Neither the retry nor the other request reached the service before the pause it asked for.
  for (const request of after) expect(request.receivedAt - (told.answeredAt ?? 0)).toBeGreaterThanOrEqual(900)
})

test('gives up after retries + 1 attempts', async () => {
  mock.script('pin', { status: 502 }, { status: 502 }, { status: 502 })
  await expect(client().pin(upload(), 1)).rejects.toThrow('Pin file to IPFS answered HTTP 502 to all 3 attempts')
})

test('a pin whose last attempt got no answer says it may have been billed', async () => {
  mock.script('pin', { reset: true }, { reset: true }, { reset: true })
  await expect(client().pin(upload(), 1)).rejects.toThrow(/after 3 attempts; the file may have been pinned anyway/)
})

test('does not retry a 401, and says which input to check', async () => {
  const error = await client(undefined, 'wrong')
    .pin(upload(), 1)
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ApiError)
  expect((error as ApiError).status).toBe(401)
  expect((error as Error).message).toMatch(
    /rejected the Capture Token \(HTTP 401: Invalid token\.\); check the capture-token input/
  )
  expect(mock.requests).toHaveLength(1)
})

test('excerpts are one printable line, shortened', () => {
  expect(excerpt('<html>\n\t<body>Bad\u0000 Gateway</body>\n</html>')).toBe('<html> <body>Bad Gateway</body> </html>')
  expect(excerpt('x'.repeat(500), 10)).toBe('xxxxxxxxxx…')
})
