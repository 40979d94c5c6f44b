/**
 * `npm run mock`: the CLI source started as its own process (through tsx), as a user starts the
 * bundle: it prints the inputs to use, answers on them, and stops cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as path from 'node:path'
import { once } from 'node:events'
import { request } from 'undici'

const CLI = path.resolve(import.meta.dirname, '..', '..', '__fixtures__', 'numbers-mock-cli.ts')

/** The CLI as its own process; Jest's NODE_OPTIONS are not its business. */
function spawnCli(args: string[]): ChildProcess {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Starts the CLI; resolves with the process and what it printed once it printed its last line. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnCli(args)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (/pins last until the mock stops/.test(output)) resolve()
    }
    child.stdout?.on('data', check)
    child.once('exit', code => reject(new Error(`The CLI exited (${code}) before it was ready:\n${output}`)))
  })
  return { child, output: () => output }
}

const inputOf = (output: string, name: string): string => {
  const match = new RegExp(`^  ${name}: +(\\S+)$`, 'm').exec(output)
  if (!match) throw new Error(`No ${name} in:\n${output}`)
  return match[1]
}

test('prints the inputs to use, answers on them, logs each request, and stops cleanly on SIGINT', async () => {
  const { child, output } = await startCli(['--port', '0', '--token', 'cli-token'])
  try {
    expect(inputOf(output(), 'capture-token')).toBe('cli-token')
    const check = await request(inputOf(output(), 'nid-api-url').replace(/nid$/, 'check'), {
      method: 'POST',
      headers: { authorization: 'token cli-token', 'content-type': 'application/json' },
      body: JSON.stringify({ nid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4' })
    })
    expect(await check.body.json()).toEqual({
      nid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
      on_ipfs: false
    })
    const gateway = await request(
      `${inputOf(output(), 'gateway-url')}bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4`
    )
    await gateway.body.dump()
    expect(gateway.statusCode).toBe(404)
    for (const name of ['pin-api-url', 'unpin-api-url'])
      expect(inputOf(output(), name)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
  } finally {
    child.kill('SIGINT')
  }
  const [code] = await once(child, 'exit')
  expect(code).toBe(0)
  expect(output()).toMatch(/POST \/check → 200/)
  expect(output()).toMatch(/GET \/ipfs\/\w+ → 404/)
  expect(output()).toMatch(/Numbers mock stopped\.\n$/)
})

test('a bad option exits 2 with the usage', async () => {
  const child = spawnCli(['--port', 'eighty'])
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [code] = await once(child, 'exit')
  expect(code).toBe(2)
  expect(output).toMatch(/--port must be an integer[\s\S]*Usage: npm run mock/)
})
