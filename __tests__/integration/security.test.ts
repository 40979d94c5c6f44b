/**
 * Regression tests of the security issue, defect by defect (the number starts each test's name),
 * through the bundled action as the runner runs it, against the repository's Numbers mock or a
 * hostile server. Each test states the behaviour the issue asks for, so it fails until that
 * defect is fixed.
 */
import { execFileSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { setTimeout as delay } from 'node:timers/promises'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import {
  pinAnswer,
  startHostileServer,
  type HostileAnswer,
  type HostileRequest,
  type HostileServer
} from '../../__fixtures__/hostile-server.js'
import { startNumbersMock, type NumbersMock } from '../../__fixtures__/numbers-api.js'
import { errorLines, runAction, type ActionRun, type RunOptions } from '../helpers/run-action.js'

const TOKEN = 'cap-5e1c0a77-security-token'
const hello = vectors.vectors.find(v => v.name === 'hello')!
/** The bytes of the `hello` vector. */
const HELLO = 'hello world\n'
const oneChunk = vectors.vectors.find(v => v.name === 'one-chunk')!

let mock: NumbersMock
/** Workspaces, hostile servers and other directories made by the current test, removed after it. */
let cleanups: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  mock = await startNumbersMock({ token: TOKEN })
})
afterEach(async () => {
  mock.reset()
  mock.setLatency(0)
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})
afterAll(() => mock.close())

/** A fresh temporary directory, removed after the test. */
async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

/** A workspace with these files (`dist/hello.txt` by default), removed after the test. */
async function workspaceWith(files: Record<string, string | Buffer> = { 'dist/hello.txt': HELLO }) {
  const workspace = await tempDir('numbers-security-')
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(workspace, name)), { recursive: true })
    await fs.writeFile(path.join(workspace, name), content)
  }
  return workspace
}

async function hostile(respond: (request: HostileRequest) => HostileAnswer): Promise<HostileServer> {
  const server = await startHostileServer(respond)
  cleanups.push(() => server.close())
  return server
}

/** What a run left: the run, its manifest and checksums files (read before its temp dir is removed). */
interface Attack {
  run: ActionRun
  manifestText?: string
  checksumsText?: string
  /** Everything the run wrote that a user or the public can read, `::add-mask::` lines aside. */
  texts: string[]
}

const readIfThere = (file: string | undefined): Promise<string | undefined> =>
  file ? fs.readFile(file, 'utf8').catch(() => undefined) : Promise.resolve(undefined)

/** The inputs that send to the Numbers mock. */
const toMock = (): Record<string, string> => ({
  'capture-token': TOKEN,
  'nid-api-url': mock.urls.nid,
  'pin-api-url': mock.urls.pin
})

/** The inputs that send to a hostile server. */
const toHostile = (server: HostileServer, token = TOKEN): Record<string, string> => ({
  'capture-token': token,
  'nid-api-url': `${server.url}/nid`,
  'pin-api-url': `${server.url}/pin`
})

/** Runs the bundle (bounded to 20 s), reads what it wrote, and removes its temp dir. */
async function attack(
  workspace: string,
  inputs: Record<string, string>,
  options: Partial<RunOptions> = {}
): Promise<Attack> {
  const run = await runAction({ workspace, timeoutMs: 20_000, ...options, inputs: { timeout: '5', ...inputs } })
  const manifestText = await readIfThere(run.outputs.manifest ?? path.join(run.temp, 'numbers-manifest.json'))
  const checksumsText = await readIfThere(run.outputs.checksums ?? path.join(run.temp, 'numbers-checksums.txt'))
  await fs.rm(run.temp, { recursive: true, force: true })
  const stdout = run.stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  const texts = [stdout, run.stderr, run.outputFile, run.summary, manifestText ?? '', checksumsText ?? '']
  return { run, manifestText, checksumsText, texts }
}

interface Result {
  path?: string
  url?: string
  status: string
  sha256?: string
  nid?: string
  orderId?: string
  error?: string
}
const resultsOf = (run: ActionRun): Result[] => JSON.parse(run.outputs.results ?? '[]')
const manifestOf = (attacked: Attack): { complete: boolean; results: Result[]; earlierPins: { nid: string }[] } =>
  JSON.parse(attacked.manifestText ?? 'null')
const orderIdsOf = (run: ActionRun): string[] => JSON.parse(run.outputs['order-ids'] ?? '[]')
/** stdout lines as the runner splits them (a lone CR ends a line too). */
const stdoutLines = (run: ActionRun): string[] => run.stdout.split(/\r?\n|\r/)
const warnings = (run: ActionRun): string[] =>
  stdoutLines(run)
    .filter(l => l.startsWith('::warning::'))
    .map(l => l.slice(11))
const notices = (run: ActionRun): string[] =>
  stdoutLines(run)
    .filter(l => l.startsWith('::notice::'))
    .map(l => l.slice(10))
const allErrors = (run: ActionRun): string => errorLines(run).join('\n')

/** Polls until `condition` holds (at most `ms`), for hooks between a run's steps. */
async function waitFor(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); await delay(20)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
  }
}

/** Control characters, and the invisible ones that reorder text. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/** Every 20-character piece of `secret`, as typed and with its whitespace collapsed. */
function fragments(secret: string, length = 20): string[] {
  const pieces = new Set<string>()
  for (const text of [secret, secret.replace(/\s+/g, ' ')])
    for (let i = 0; i + length <= text.length; i++) pieces.add(text.slice(i, i + length))
  return [...pieces]
}

/** The text, JSON-unescaped, and both with whitespace collapsed: the forms a secret can hide in. */
function views(text: string): string[] {
  const unescaped = text
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n')
    .replace(/\\(["\\/])/g, '$1')
  return [text, unescaped, text.replace(/\s+/g, ' '), unescaped.replace(/\s+/g, ' ')]
}

/** Fails naming the first piece of `secret` found in any text. */
function expectNoFragmentOf(secret: string, texts: string[]): void {
  const all = texts.flatMap(views)
  const found = fragments(secret).find(piece => all.some(text => text.includes(piece)))
  expect(found).toBeUndefined()
}

describe('1: links to hidden files and .git', () => {
  async function linkedWorkspace(): Promise<string> {
    const workspace = await workspaceWith({
      '.env': 'SECRET=hunter2-from-dotenv\n',
      '.git/config': '[remote "origin"]\n\turl = https://x-access-token:ghs_secret@github.com/o/r\n',
      'dist/app.txt': 'the app\n'
    })
    await fs.symlink('../.env', path.join(workspace, 'dist', 'env.txt'))
    await fs.symlink('../.git/config', path.join(workspace, 'dist', 'git-config'))
    await fs.symlink('../.git', path.join(workspace, 'dist', 'cfg'))
    return workspace
  }

  test('1.1: a link whose target is hidden or in .git/ is refused in preflight, naming the link and its target', async () => {
    const workspace = await linkedWorkspace()
    const { run } = await attack(workspace, { path: 'dist/**', ...toMock() })
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    const errors = allErrors(run)
    expect(errors).toMatch(/dist\/env\.txt: [^\n]*\.env/)
    expect(errors).toMatch(/dist\/git-config: [^\n]*\.git\/config/)
    expect(errors).toMatch(/dist\/cfg\/config: [^\n]*\.git\/config/)
  })

  test('1.2: with include-hidden-files a link into .git/ is still refused', async () => {
    const workspace = await linkedWorkspace()
    const { run } = await attack(workspace, { path: 'dist/**', 'include-hidden-files': 'true', ...toMock() })
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    expect(allErrors(run)).toMatch(/dist\/git-config: [^\n]*\.git\/config/)
    expect(allErrors(run)).not.toMatch(/dist\/env\.txt/)
  })

  test('1.3: (control) with include-hidden-files a link to a hidden file outside .git/ is pinned', async () => {
    const workspace = await linkedWorkspace()
    const { run } = await attack(workspace, { path: 'dist/env.txt', 'include-hidden-files': 'true', ...toMock() })
    expect(run.code).toBe(0)
    expect(resultsOf(run)).toEqual([expect.objectContaining({ path: 'dist/env.txt', status: 'pinned' })])
  })
})

describe('2: a server that answers one byte at a time', () => {
  test.each(['body', 'headers'] as const)(
    '2.1: dripping %s forever, timeout: 5, retries: 0 → the run fails naming the timeout, on its own',
    async part => {
      const server = await hostile(() => ({ drip: part, intervalMs: 1000 }))
      const workspace = await workspaceWith()
      const { run } = await attack(workspace, {
        path: 'dist/hello.txt',
        ...toHostile(server),
        timeout: '5',
        retries: '0'
      })
      // Not killed by the harness after 20 s: the action gave up by itself.
      expect(run.signal).toBeNull()
      expect(run.code).toBe(1)
      expect(allErrors(run)).toMatch(/dist\/hello\.txt: .*timeout/i)
      expect(server.requests).toHaveLength(1)
    },
    30_000
  )
})

describe('3: a file replaced between discovery and upload', () => {
  /**
   * Runs a, b, c one at a time with a's pin held for 3 s; while it is held, `replace` swaps a later
   * file. With concurrency 1, c is not even hashed until a is answered.
   */
  async function replacedDuringRun(
    files: Record<string, string | Buffer>,
    replace: (workspace: string) => Promise<void>,
    options: Partial<RunOptions> = {}
  ): Promise<Attack> {
    const workspace = await workspaceWith(files)
    mock.script({ endpoint: 'pin', fileName: 'a.bin' }, { delayMs: 3000 })
    const running = attack(workspace, { path: 'dist/*.bin', concurrency: '1', ...toMock() }, options)
    await waitFor(() => mock.requests.some(r => r.fileName === 'a.bin'), 'the pin of a.bin')
    await replace(workspace)
    return running
  }

  test('3.1: a file swapped for a same-size link to a secret: the secret is never sent, the entry fails', async () => {
    const size = 300 * 1024
    const secretDir = await tempDir('numbers-secret-')
    const secret = Buffer.alloc(size, 's')
    await fs.writeFile(path.join(secretDir, 'secret.bin'), secret)
    const attacked = await replacedDuringRun(
      { 'dist/a.bin': 'first file', 'dist/b.bin': Buffer.alloc(size, 'b') },
      async workspace => {
        await fs.rm(path.join(workspace, 'dist', 'b.bin'))
        await fs.symlink(path.join(secretDir, 'secret.bin'), path.join(workspace, 'dist', 'b.bin'))
      }
    )
    const secretSha = createHash('sha256').update(secret).digest('hex')
    expect(mock.requests.filter(r => r.sha256 === secretSha)).toEqual([])
    const [a, b] = resultsOf(attacked.run)
    expect(a).toMatchObject({ path: 'dist/a.bin', status: 'pinned' })
    // Either b.bin was already open (hashed ahead) when it was swapped, and what discovery found is
    // what is sent, or it is opened after the swap and refused; never the link's target.
    const original = createHash('sha256').update(Buffer.alloc(size, 'b')).digest('hex')
    if (b.status === 'pinned') {
      expect(b.sha256).toBe(original)
      expect(mock.requests.map(r => r.sha256)).toContain(original)
    } else {
      expect(attacked.run.code).toBe(1)
      expect(b).toMatchObject({ path: 'dist/b.bin', error: expect.stringMatching(/changed after it was found/) })
    }
  })

  test('3.2: a file swapped for a FIFO: the run does not hang and fails that file', async () => {
    const attacked = await replacedDuringRun(
      { 'dist/a.bin': 'first file', 'dist/b.bin': 'second file', 'dist/c.bin': 'third file' },
      async workspace => {
        await fs.rm(path.join(workspace, 'dist', 'c.bin'))
        execFileSync('mkfifo', [path.join(workspace, 'dist', 'c.bin')])
      }
    )
    expect(attacked.run.signal).toBeNull()
    expect(attacked.run.code).toBe(1)
    expect(mock.requests.map(r => r.fileName)).not.toContain('c.bin')
    expect(resultsOf(attacked.run)).toEqual([
      expect.objectContaining({ path: 'dist/a.bin', status: 'pinned' }),
      expect.objectContaining({ path: 'dist/b.bin', status: 'pinned' }),
      expect.objectContaining({
        path: 'dist/c.bin',
        status: 'failed',
        error: expect.stringMatching(/^dist\/c\.bin: .*(changed after it was found|not a regular file)/)
      })
    ])
  })

  test('3.3: a file swapped for a FIFO: SIGTERM still ends the run, keeping what was pinned', async () => {
    let stdout = ''
    const attacked = await replacedDuringRun(
      { 'dist/a.bin': 'first file', 'dist/b.bin': 'second file', 'dist/c.bin': 'third file' },
      async workspace => {
        await fs.rm(path.join(workspace, 'dist', 'c.bin'))
        execFileSync('mkfifo', [path.join(workspace, 'dist', 'c.bin')])
      },
      {
        onSpawn: child =>
          child.stdout?.on('data', chunk => {
            stdout += chunk
            if (!child.killed && stdout.includes('✓ dist/b.bin')) child.kill('SIGTERM')
          })
      }
    )
    expect(attacked.run.signal).toBeNull()
    expect(attacked.run.code).toBe(1)
    const pinned = manifestOf(attacked).results.filter(r => r.status === 'pinned')
    expect(pinned.map(r => [r.path, r.orderId])).toEqual(
      ['a.bin', 'b.bin'].map(name => [`dist/${name}`, mock.requests.find(r => r.fileName === name)?.orderID])
    )
  })
})

/** No stdout line is a workflow command other than the action's own (`::name::text`, no properties). */
function expectNoInjectedCommand(run: ActionRun): void {
  const commands = stdoutLines(run).filter(line => line.startsWith('::'))
  expect(commands.filter(line => !/^::(error|warning|notice|debug|add-mask|group|endgroup)::/.test(line))).toEqual([])
}

describe('4: control characters in file names and server answers', () => {
  test.each([
    ['a newline', 'evil\n::error title=Injected::pwned.txt', 'evil\\n::error title=Injected::pwned.txt'],
    ['a carriage return', 'evil\r::error title=Injected::cr.txt', 'evil\\r::error title=Injected::cr.txt'],
    ['an ANSI escape', 'evil\u001b[2Jansi.txt', /evil\\(x1b|u001b|e)\[2Jansi\.txt/]
  ])('4.1: a file name with %s is refused before any request, shown escaped', async (_name, name, shown) => {
    const workspace = await workspaceWith({ 'dist/ok.txt': 'ok\n', [`dist/${name}`]: 'evil\n' })
    const attacked = await attack(workspace, { path: 'dist/*', ...toMock() })
    const { run } = attacked
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    if (typeof shown === 'string') expect(allErrors(run)).toContain(`dist/${shown}`)
    else expect(allErrors(run)).toMatch(shown)
    expectNoInjectedCommand(run)
    for (const line of (attacked.checksumsText ?? '').split('\n').filter(Boolean))
      expect(line).toMatch(/^[0-9a-f]{64} {2}[^\r]+$/)
  })

  test.each([
    ['a newline and a command', 'order-1\n::add-mask::x', 'order-1\\n::add-mask::x'],
    ['bidi and bell characters', 'order-2\u202egnp.exe\u0007', 'order-2\\u202egnp.exe\\u0007']
  ])('4.2: an orderID with %s is never used raw, and its order is still reported', async (_name, orderID, shown) => {
    const server = await hostile(() => ({ json: pinAnswer(hello.cidV1, hello.size, orderID) }))
    const workspace = await workspaceWith()
    const attacked = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server) })
    const { run } = attacked
    expect(stdoutLines(run).filter(line => line.startsWith('::add-mask::x'))).toEqual([])
    expectNoInjectedCommand(run)
    for (const entry of [...resultsOf(run), ...manifestOf(attacked).results]) {
      expect(entry.orderId ?? '').not.toMatch(CONTROL)
      expect(`${entry.orderId ?? ''} ${entry.error ?? ''}`).toContain(shown)
      if (entry.status === 'failed') expect(entry.error).toMatch(/billed/)
    }
    for (const id of orderIdsOf(run)) expect(id).not.toMatch(CONTROL)
  })

  test('4.3: an orderID of 100 000 characters is refused by its length, the entry saying it may be billed', async () => {
    const orderID = `order-${'x'.repeat(100_000)}`
    const server = await hostile(() => ({ json: pinAnswer(hello.cidV1, hello.size, orderID) }))
    const workspace = await workspaceWith()
    const attacked = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server) })
    const [entry] = resultsOf(attacked.run)
    expect(entry).toMatchObject({ status: 'failed', error: expect.stringMatching(/orderID.*billed/) })
    for (const text of attacked.texts) expect(text).not.toContain('x'.repeat(1000))
  })
})

describe('5: credentials in file URLs', () => {
  const URL_SECRETS = ['S3cretPass', 'sig0abc0secret', 'tok0xyz0secret']
  const fileUrl = 'https://alice:S3cretPass@files.example.com/f?X-Amz-Signature=sig0abc0secret&token=tok0xyz0secret'
  const shownUrl = 'https://files.example.com/f?X-Amz-Signature=***&token=***'

  test.each<[string, (request: HostileRequest) => HostileAnswer]>([
    ['pinned', () => ({ json: pinAnswer(hello.cidV1, hello.size, 'order-url-1') })],
    [
      'refused by a server that echoes the URL',
      request => ({ json: { detail: `Could not fetch fileURL ${String(request.json?.fileURL)}` }, status: 400 })
    ]
  ])(
    '5.1: a URL with userinfo and signed query (%s) is sent whole but shown without its secrets',
    async (_name, respond) => {
      const server = await hostile(respond)
      const workspace = await workspaceWith({})
      const attacked = await attack(workspace, { 'file-urls': fileUrl, ...toHostile(server) })
      expect(server.requests.map(r => r.json?.fileURL)).toEqual([fileUrl])
      for (const secret of URL_SECRETS) for (const text of attacked.texts) expect(text).not.toContain(secret)
      expect(resultsOf(attacked.run)[0].url).toBe(shownUrl)
      expect(manifestOf(attacked).results[0].url).toBe(shownUrl)
    }
  )
})

describe('6: the token echoed by the server', () => {
  const hex = (n: number): string => createHash('sha256').update(String(n)).digest('hex').slice(0, 32)
  const tokens: [string, string][] = [
    ['long, cut by the excerpt', `cap-${hex(1)}${hex(2)}`],
    ['with quotes', `cap-"${hex(3)}"-"${hex(4)}"`],
    ['with backslashes', `cap-\\${hex(5)}\\${hex(6)}`],
    ['with a tab', `cap-${hex(7)}\t${hex(8)}`],
    ['with runs of spaces', `cap-${hex(9)}    ${hex(10)}`]
  ]
  const echoes: [string, (request: HostileRequest) => HostileAnswer][] = [
    // 100 characters first, so a 160-character excerpt ends inside the token.
    ['in a text body', r => ({ status: 400, text: `${'.'.repeat(100)} Authorization: ${r.authorization}` })],
    ['in a JSON detail', r => ({ status: 400, json: { detail: `Authorization ${r.authorization} is not allowed` } })]
  ]

  test.each(
    tokens.flatMap(([tokenName, token]) => echoes.map(([how, respond]) => [tokenName, how, token, respond] as const))
  )('6.1: a token %s, echoed %s: no 20-character piece of it anywhere', async (_tokenName, _how, token, respond) => {
    const server = await hostile(respond)
    const workspace = await workspaceWith()
    const attacked = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server, token) })
    expect(attacked.run.code).toBe(1)
    expect(server.requests[0].authorization).toBe(`token ${token}`)
    expectNoFragmentOf(token, attacked.texts)
  })

  test('6.2: a token with a newline is refused by the input checks, naming capture-token', async () => {
    const workspace = await workspaceWith()
    const { run } = await attack(workspace, {
      path: 'dist/hello.txt',
      ...toMock(),
      'capture-token': 'cap-line-one-0123456789\ncap-line-two-0123456789'
    })
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    expect(allErrors(run)).toMatch(/Input 'capture-token': .*(newline|line break|control character)/i)
    expect(run.stdout).not.toContain('UND_ERR_INVALID_ARG')
  })
})

describe('7: pin answers with an orderID that are otherwise odd', () => {
  test.each<[string, Record<string, unknown>]>([
    ['fileSize "3"', { fileSize: '3' }],
    ['fileURL null', { fileURL: null }]
  ])('7.1: a 200 with an orderID but %s keeps the order and says it may be billed', async (_name, change) => {
    const orderID = 'order-odd-7'
    const server = await hostile(() => ({ json: { ...pinAnswer(hello.cidV1, hello.size, orderID), ...change } }))
    const workspace = await workspaceWith()
    const attacked = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server) })
    const [entry] = resultsOf(attacked.run)
    expect(entry.orderId).toBe(orderID)
    if (entry.status !== 'pinned') expect(entry.error).toMatch(/billed/)
    expect(orderIdsOf(attacked.run)).toEqual([orderID])
    expect(manifestOf(attacked).results[0].orderId).toBe(orderID)
  })

  test('7.2: a valid answer over 1 MiB (padded JSON) is not called "not JSON"; its order is kept', async () => {
    const orderID = 'order-padded-7'
    const server = await hostile(() => ({ json: pinAnswer(hello.cidV1, hello.size, orderID), padTo: 1.5 * 2 ** 20 }))
    const workspace = await workspaceWith()
    const attacked = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server) })
    const [entry] = resultsOf(attacked.run)
    expect(entry.error ?? '').not.toMatch(/not JSON/)
    expect(entry.orderId).toBe(orderID)
    expect(orderIdsOf(attacked.run)).toEqual([orderID])
    expect(manifestOf(attacked).results[0].orderId).toBe(orderID)
  })
})

/**
 * Sends SIGINT once `ready` holds, then, like the runner, SIGTERM 7.5 s later if the process is
 * still there. Returns whether SIGTERM had to be sent.
 */
function cancelLikeTheRunner(ready: () => boolean): { onSpawn: (child: ChildProcess) => void; sigterm: () => boolean } {
  let sentTerm = false
  return {
    onSpawn: child => {
      let term: NodeJS.Timeout | undefined
      waitFor(ready, 'the moment to cancel').then(
        () => {
          child.kill('SIGINT')
          term = setTimeout(() => {
            sentTerm = true
            child.kill('SIGTERM')
          }, 7500)
        },
        () => child.kill('SIGKILL')
      )
      child.once('close', () => clearTimeout(term))
    },
    sigterm: () => sentTerm
  }
}

describe('8: SIGINT with requests in flight', () => {
  const files = Object.fromEntries(
    Array.from({ length: 25 }, (_, i) => [`dist/f${String(i).padStart(2, '0')}.txt`, `file number ${i}\n`])
  )

  test('8.1: answers arriving within the grace period are recorded; nothing new starts; exit before SIGTERM', async () => {
    const workspace = await workspaceWith(files)
    mock.setLatency(2000)
    const cancel = cancelLikeTheRunner(() => mock.requests.length === 20)
    const attacked = await attack(
      workspace,
      { path: 'dist/*.txt', concurrency: '20', ...toMock() },
      { onSpawn: cancel.onSpawn }
    )
    expect(cancel.sigterm()).toBe(false)
    expect(attacked.run.code).toBe(1)
    // Twenty answered, none started after the signal.
    expect(mock.requests.map(r => r.status)).toEqual(Array(20).fill(200))
    const recorded = manifestOf(attacked).results.filter(r => r.status === 'pinned')
    expect(recorded).toHaveLength(20)
    expect(recorded.map(r => r.orderId).sort()).toEqual(mock.requests.map(r => r.orderID).sort())
    expect(orderIdsOf(attacked.run).sort()).toEqual(mock.requests.map(r => r.orderID).sort())
  })

  test('8.2: requests still unanswered after the grace period are listed as possibly billed', async () => {
    const workspace = await workspaceWith(files)
    mock.setLatency(30_000)
    const cancel = cancelLikeTheRunner(() => mock.requests.length === 20)
    const attacked = await attack(
      workspace,
      { path: 'dist/*.txt', concurrency: '20', ...toMock() },
      { onSpawn: cancel.onSpawn }
    )
    expect(cancel.sigterm()).toBe(false)
    expect(attacked.run.code).toBe(1)
    const manifest = manifestOf(attacked)
    expect(manifest.complete).toBe(false)
    const inFlight = mock.requests.map(r => `dist/${r.fileName}`)
    expect(inFlight).toHaveLength(20)
    for (const file of inFlight) {
      const entry = manifest.results.find(r => r.path === file)
      expect(JSON.stringify(entry ?? `no entry for ${file}`)).toMatch(/billed/i)
    }
  })
})

describe('9: the manifest is written atomically', () => {
  test('9.1: written through a rename beside it, leaving no temporary file', async () => {
    const workspace = await workspaceWith()
    const inputs = { path: 'dist/hello.txt', pin: 'false', 'manifest-path': 'out/numbers-manifest.json' }
    const first = await attack(workspace, inputs)
    expect(first.run.code).toBe(0)
    const manifest = path.join(workspace, 'out', 'numbers-manifest.json')
    const before = (await fs.stat(manifest)).ino
    const second = await attack(workspace, inputs)
    expect(second.run.code).toBe(0)
    expect((await fs.stat(manifest)).ino).not.toBe(before)
    expect(await fs.readdir(path.join(workspace, 'out'))).toEqual(['numbers-manifest.json'])
  })

  test('9.2: SIGINT as a large run finishes never leaves invalid JSON at manifest-path', async () => {
    const count = 3000
    const long = 'n'.repeat(150)
    const workspace = await workspaceWith(
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`dist/${long}-${i}.txt`, `file ${i}\n`]))
    )
    let settled = 0
    let interrupting: NodeJS.Timeout | undefined
    await attack(
      workspace,
      { path: 'dist/*.txt', pin: 'false', 'manifest-path': 'out/numbers-manifest.json' },
      {
        onSpawn: child => {
          const decoder = new StringDecoder('utf8')
          let partial = ''
          child.stdout?.on('data', (chunk: Buffer) => {
            const lines = (partial + decoder.write(chunk)).split('\n')
            partial = lines.pop() ?? ''
            settled += lines.filter(line => line.startsWith('✓ ')).length
            // Every entry settled: the manifest is being written now. Interrupt it, again and again.
            if (settled >= count && !interrupting) interrupting = setInterval(() => child.kill('SIGINT'), 2)
          })
          child.once('close', () => clearInterval(interrupting))
        }
      }
    )
    expect(settled).toBe(count)
    const text = await readIfThere(path.join(workspace, 'out', 'numbers-manifest.json'))
    if (text !== undefined) expect(() => JSON.parse(text)).not.toThrow()
  })
})

describe('10: unusable output locations are refused before any request', () => {
  type Setup = (workspace: string) => Promise<{ inputs?: Record<string, string>; env?: Record<string, string> }>
  test.each<[string, Setup, RegExp]>([
    [
      'manifest-path is a directory',
      async workspace => {
        await fs.mkdir(path.join(workspace, 'out-dir'))
        return { inputs: { 'manifest-path': 'out-dir' } }
      },
      /manifest-path.*out-dir/
    ],
    [
      'manifest-path is below a regular file',
      async () => ({ inputs: { 'manifest-path': 'dist/hello.txt/numbers-manifest.json' } }),
      /manifest-path.*dist\/hello\.txt/
    ],
    [
      'GITHUB_OUTPUT cannot be written',
      async workspace => ({ env: { GITHUB_OUTPUT: path.join(workspace, 'dist', 'hello.txt', 'output') } }),
      /GITHUB_OUTPUT/
    ],
    [
      'manifest-path is an existing file that is not a manifest of this action',
      async workspace => {
        await fs.writeFile(path.join(workspace, 'notes.json'), '{"keep": "me"}\n')
        return { inputs: { 'manifest-path': 'notes.json' } }
      },
      /manifest-path.*notes\.json/
    ]
  ])('10.1: %s', async (_name, setup, message) => {
    const workspace = await workspaceWith()
    const { inputs = {}, env } = await setup(workspace)
    const { run } = await attack(workspace, { path: 'dist/hello.txt', ...toMock(), ...inputs }, { env })
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    expect(allErrors(run)).toMatch(message)
    const notes = await readIfThere(path.join(workspace, 'notes.json'))
    if (notes !== undefined) expect(notes).toBe('{"keep": "me"}\n')
  })

  test('10.2: manifest-path outside the workspace and RUNNER_TEMP is a warning', async () => {
    const workspace = await workspaceWith()
    const elsewhere = await tempDir('numbers-elsewhere-')
    const { run } = await attack(workspace, {
      path: 'dist/hello.txt',
      pin: 'false',
      'manifest-path': path.join(elsewhere, 'numbers-manifest.json')
    })
    expect(run.code).toBe(0)
    expect(warnings(run).some(w => w.includes('manifest-path'))).toBe(true)
  })
})

describe('11: default paths of two steps in one job', () => {
  test('11.1: two steps with the same RUNNER_TEMP keep separate manifests and checksums', async () => {
    const workspace = await workspaceWith({ 'dist/a.txt': 'a\n', 'dist/b.txt': 'b\n' })
    const runnerTemp = await tempDir('numbers-runner-temp-')
    const step = (name: string, file: string): Promise<Attack> =>
      attack(workspace, { path: file, pin: 'false' }, { env: { RUNNER_TEMP: runnerTemp, GITHUB_ACTION: name } })
    const first = await step('pin-a', 'dist/a.txt')
    const second = await step('pin-b', 'dist/b.txt')
    expect(first.run.outputs.manifest).not.toBe(second.run.outputs.manifest)
    expect(first.run.outputs.checksums).not.toBe(second.run.outputs.checksums)
    const firstManifest = JSON.parse(await fs.readFile(first.run.outputs.manifest, 'utf8'))
    expect(firstManifest.results.map((r: Result) => r.path)).toEqual(['dist/a.txt'])
    expect(await fs.readFile(first.run.outputs.checksums, 'utf8')).toContain('  dist/a.txt')
  })

  test('11.2: the checksums-path input sets where the checksums file goes', async () => {
    const workspace = await workspaceWith()
    const { run } = await attack(workspace, {
      path: 'dist/hello.txt',
      pin: 'false',
      'checksums-path': 'out/SHA256SUMS'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.checksums).toBe(path.join(workspace, 'out', 'SHA256SUMS'))
    expect(await fs.readFile(path.join(workspace, 'out', 'SHA256SUMS'), 'utf8')).toBe(
      `${hello.sha256}  dist/hello.txt\n`
    )
  })
})

describe('12: the action’s own files inside the pinned paths', () => {
  test.each<[string, Record<string, string>, string]>([
    [
      'the manifest (also the previous-manifest)',
      { 'manifest-path': 'dist/numbers-manifest.json', 'previous-manifest': 'dist/numbers-manifest.json' },
      'numbers-manifest.json'
    ],
    ['the checksums file', { 'checksums-path': 'dist/SHA256SUMS' }, 'SHA256SUMS']
  ])('12.1: on a second run, %s is not pinned, with a notice', async (_name, inputs, written) => {
    const workspace = await workspaceWith()
    const first = await attack(workspace, { path: 'dist/**', ...toMock(), ...inputs })
    expect(first.run.code).toBe(0)
    await fs.access(path.join(workspace, 'dist', written))
    mock.reset()
    const { run } = await attack(workspace, { path: 'dist/**', ...toMock(), ...inputs })
    expect(run.code).toBe(0)
    expect(mock.requests.map(r => r.fileName)).not.toContain(written)
    expect(resultsOf(run).map(r => r.path)).toEqual(['dist/hello.txt'])
    expect(notices(run).some(n => n.includes(written) && /exclud/i.test(n))).toBe(true)
  })

  test('12.2: a previous-manifest inside the pinned paths is not pinned', async () => {
    const workspace = await workspaceWith()
    const first = await attack(workspace, { path: 'dist/hello.txt', ...toMock() })
    await fs.writeFile(path.join(workspace, 'dist', 'previous.json'), first.manifestText!)
    mock.reset()
    const { run } = await attack(workspace, { path: 'dist/**', 'previous-manifest': 'dist/previous.json', ...toMock() })
    expect(mock.requests.map(r => r.fileName)).not.toContain('previous.json')
    expect(resultsOf(run).map(r => r.path)).toEqual(['dist/hello.txt'])
    expect(notices(run).some(n => n.includes('previous.json') && /exclud/i.test(n))).toBe(true)
  })
})

describe('13: a hostile previous-manifest', () => {
  /** A manifest of this action listing these entries as pinned, written to prev.json in the workspace. */
  async function withPrevious(workspace: string, entries: Record<string, unknown>[]): Promise<void> {
    const results = entries.map(entry => ({
      source: 'file',
      path: 'dist/earlier.bin',
      size: 1,
      sha256: '0'.repeat(64),
      cidVersion: 1,
      status: 'pinned',
      fileUrl: 'https://ipfs-pin.numbersprotocol.io/ipfs/earlier',
      ...entry
    }))
    const manifest = {
      schema: 'numbers-pin-action/manifest@1',
      actionVersion: '1.0.0',
      cidVersion: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      complete: true,
      provenance: {
        repository: 'numbers-test/artifacts',
        sha: '0123456789abcdef0123456789abcdef01234567',
        ref: 'refs/heads/main',
        workflow: 'release',
        runId: 4241,
        runAttempt: 1,
        runUrl: 'https://github.com/numbers-test/artifacts/actions/runs/4241',
        event: 'push',
        actor: 'octocat'
      },
      results,
      earlierPins: []
    }
    await fs.writeFile(path.join(workspace, 'prev.json'), JSON.stringify(manifest))
  }
  const earlierNids = (attacked: Attack): string[] => manifestOf(attacked).earlierPins.map(p => p.nid)
  const droppedWarning = (run: ActionRun, count: number): boolean =>
    warnings(run).some(w => /dropped/i.test(w) && new RegExp(`\\b${count}\\b`).test(w))

  test('13.1: an entry with orderId: {} is dropped and counted, not trusted', async () => {
    const workspace = await workspaceWith()
    await withPrevious(workspace, [
      { path: 'dist/hello.txt', nid: hello.cidV1, orderId: {} },
      { path: 'dist/gone.bin', nid: oneChunk.cidV1, orderId: 'order-kept' }
    ])
    const attacked = await attack(workspace, { path: 'dist/hello.txt', 'previous-manifest': 'prev.json', ...toMock() })
    expect(attacked.run.code).toBe(0)
    expect(mock.requests).toHaveLength(1)
    expect(resultsOf(attacked.run)[0]).toMatchObject({ status: 'pinned', orderId: mock.requests[0].orderID })
    expect(droppedWarning(attacked.run, 1)).toBe(true)
    expect(earlierNids(attacked)).toEqual([oneChunk.cidV1])
  })

  test('13.2: Nids that are not CIDs of the run’s version are dropped, not carried forward', async () => {
    const workspace = await workspaceWith()
    await withPrevious(workspace, [
      { nid: 'not-a-cid', orderId: 'order-1' },
      { nid: hello.cidV0, orderId: 'order-2' },
      { nid: `bafkrei${'a'.repeat(5000)}`, orderId: 'order-3' },
      { nid: `${oneChunk.cidV1}\n::add-mask::x`, orderId: 'order-4' },
      { nid: oneChunk.cidV1, orderId: 'order-kept' }
    ])
    const attacked = await attack(workspace, { path: 'dist/hello.txt', 'previous-manifest': 'prev.json', ...toMock() })
    expect(attacked.run.code).toBe(0)
    expect(earlierNids(attacked)).toEqual([oneChunk.cidV1])
    expect(droppedWarning(attacked.run, 4)).toBe(true)
  })

  test('13.3: a previous-manifest over the size bound is refused before any request', async () => {
    const workspace = await workspaceWith()
    const handle = await fs.open(path.join(workspace, 'prev.json'), 'w')
    await handle.truncate(100 * 2 ** 20)
    await handle.close()
    const { run } = await attack(workspace, { path: 'dist/hello.txt', 'previous-manifest': 'prev.json', ...toMock() })
    expect(run.code).toBe(1)
    expect(mock.requests).toEqual([])
    expect(allErrors(run)).toMatch(/prev\.json: .*previous-manifest.*(too large|larger than|over)/i)
  })

  test('13.4: previous-manifest is read with pin: false too, its pins carried forward', async () => {
    const workspace = await workspaceWith()
    await withPrevious(workspace, [{ nid: oneChunk.cidV1, orderId: 'order-kept' }])
    const attacked = await attack(workspace, { path: 'dist/hello.txt', pin: 'false', 'previous-manifest': 'prev.json' })
    expect(attacked.run.code).toBe(0)
    expect(earlierNids(attacked)).toEqual([oneChunk.cidV1])
  })
})

describe('14: smaller defects', () => {
  test('14.1: a symbolic link loop is a FileError naming the link, not a raw ELOOP', async () => {
    const workspace = await workspaceWith({ 'dist/ok.txt': 'ok\n' })
    await fs.symlink('loop', path.join(workspace, 'dist', 'loop'))
    const { run } = await attack(workspace, { path: 'dist/*', pin: 'false' })
    expect(run.code).toBe(1)
    expect(allErrors(run)).toMatch(/dist\/loop: .*loop/i)
    expect(allErrors(run)).not.toMatch(/ELOOP:/)
  })

  // As root every directory is readable, so an unreadable one cannot be made here.
  ;(process.getuid?.() === 0 ? test.skip : test)('14.2: an unreadable directory is a FileError naming it', async () => {
    const workspace = await workspaceWith({ 'dist/locked/a.txt': 'a\n' })
    await fs.chmod(path.join(workspace, 'dist', 'locked'), 0)
    cleanups.push(() => fs.chmod(path.join(workspace, 'dist', 'locked'), 0o755))
    const { run } = await attack(workspace, { path: 'dist/**', pin: 'false' })
    expect(run.code).toBe(1)
    expect(allErrors(run)).toMatch(/dist\/locked: .*(read|permission)/i)
    expect(allErrors(run)).not.toMatch(/EACCES:/)
  })

  test.each([502, 504])('14.3: a %s retried warns that the file may be billed twice', async status => {
    mock.script('pin', { status })
    const workspace = await workspaceWith()
    const { run } = await attack(workspace, { path: 'dist/hello.txt', ...toMock() })
    expect(run.code).toBe(0)
    expect(mock.requests).toHaveLength(2)
    expect(warnings(run).some(w => /hello\.txt.*billed twice/.test(w))).toBe(true)
  })

  test('14.4: order-id is empty for a single entry that failed', async () => {
    mock.script('pin', { wrongCid: true })
    const workspace = await workspaceWith()
    const { run } = await attack(workspace, { path: 'dist/hello.txt', ...toMock() })
    expect(resultsOf(run)[0].status).toBe('failed')
    expect(orderIdsOf(run)).toEqual([mock.requests[0].orderID])
    expect(run.outputs['order-id']).toBe('')
  })

  test('14.5: a relative RUNNER_TEMP gives absolute manifest and checksums outputs', async () => {
    const workspace = await workspaceWith()
    const { run } = await attack(
      workspace,
      { path: 'dist/hello.txt', pin: 'false' },
      { env: { RUNNER_TEMP: 'rel-temp' } }
    )
    expect(run.code).toBe(0)
    expect(path.isAbsolute(run.outputs.checksums)).toBe(true)
    expect(path.isAbsolute(run.outputs.manifest)).toBe(true)
  })

  test('14.6: a 600 KB cid in an answer is cut in messages; the summary stays small', async () => {
    const server = await hostile(() => ({
      // fileURL short, so the body stays under the client's 1 MiB read limit.
      json: { ...pinAnswer(`bafkrei${'a'.repeat(600_000)}`, hello.size, 'order-big-cid'), fileURL: 'https://x.test/' }
    }))
    const workspace = await workspaceWith()
    const { run } = await attack(workspace, { path: 'dist/hello.txt', ...toHostile(server) })
    expect(run.code).toBe(1)
    expect(run.summary.length).toBeLessThan(16 * 1024)
    for (const line of errorLines(run)) expect(line.length).toBeLessThan(4096)
  })

  test('14.7: an @mention in a file name is escaped in the summary', async () => {
    const workspace = await workspaceWith({ 'dist/notes @octocat.txt': 'hi\n' })
    const { run } = await attack(workspace, { path: 'dist/*', pin: 'false' })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('octocat')
    expect(run.summary).not.toMatch(/(^|[^\u200b`])@octocat/m)
  })
})
