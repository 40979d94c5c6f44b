/**
 * `npm run mock` (bundled to dist/mock/index.js, so it needs nothing but Node): runs the repository's
 * Numbers mock on 127.0.0.1 until Ctrl-C, and prints the action inputs that point a run at it, so a
 * user can try `pin: true` without a Capture account or a single NUM.
 */
import { parseArgs } from 'node:util'
import { startNumbersMock, type NumbersMock } from './numbers-api.js'

const USAGE = `Usage: npm run mock -- [--port <port>] [--token <token>] [--latency <ms>] [--quiet]

Runs the Numbers APIs mock (Get Nid, Pin, Unpin, Check Nid, and a gateway) on 127.0.0.1.
  --port     port to listen on (default: any free port)
  --token    the Capture Token it accepts (default: numbers-mock-token)
  --latency  milliseconds before each API answer (default: 0)
  --quiet    do not log each request`

const DEFAULT_TOKEN = 'numbers-mock-token'

function integer(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) > max) throw new Error(`--${name} must be an integer from 0 to ${max}.`)
  return Number(value)
}

/** Starts the mock as the command line asks and prints how to use it; `print` gets each line. */
async function startMockCli(args: string[], print: (line: string) => void): Promise<NumbersMock | undefined> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      latency: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help) {
    print(USAGE)
    return undefined
  }
  const token = values.token ?? DEFAULT_TOKEN
  const mock = await startNumbersMock({
    token,
    port: integer('port', values.port, 65535),
    latencyMs: integer('latency', values.latency, 600_000),
    log: values.quiet ? undefined : line => print(`  ${line}`)
  })
  print(`Numbers mock listening on 127.0.0.1 (Ctrl-C to stop). Action inputs for a run against it:`)
  print(`  capture-token: ${token}`)
  print(`  nid-api-url:   ${mock.urls.nid}`)
  print(`  pin-api-url:   ${mock.urls.pin}`)
  print(`  unpin-api-url: ${mock.urls.unpin}`)
  print(`  gateway-url:   ${mock.urls.gateway}`)
  print(`Check Nid on IPFS: ${mock.urls.check}`)
  print('Nothing leaves this machine; pins last until the mock stops.')
  return mock
}

/** Runs the CLI: stops cleanly (exit 0) on Ctrl-C or SIGTERM; exit 2 for a bad command line. */
async function main(): Promise<void> {
  let mock: NumbersMock | undefined
  try {
    mock = await startMockCli(process.argv.slice(2), line => console.log(line))
  } catch (error) {
    console.error(`numbers-mock: ${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (!mock) return
  const stop = (): void => {
    void mock.close().then(() => {
      console.log('Numbers mock stopped.')
      process.exit(0)
    })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

await main()
