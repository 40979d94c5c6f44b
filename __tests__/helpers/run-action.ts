import { spawn, spawnSync } from 'node:child_process'
import { existsSync, promises as fs, realpathSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')
export const BUNDLE = path.join(REPO_ROOT, 'dist', 'index.js')
export const MERGE_BUNDLE = path.join(REPO_ROOT, 'dist', 'merge', 'index.js')
export const VERIFY_BUNDLE = path.join(REPO_ROOT, 'dist', 'verify', 'index.js')

export interface Runtime {
  node: string
  version: string
}

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
}

/** This machine's own Node: the first `node` on PATH outside node_modules (npm puts .bin first). */
export function machineNode(): Runtime | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const node = path.join(dir, 'node')
    if (dir && !dir.includes('node_modules') && existsSync(node))
      return { node: realpathSync(node), version: versionOf(node) }
  }
  return undefined
}

/** Node 24 from the `node@24` dev dependency: what the runner's `runs.using: node24` runs. */
export function node24(): Runtime | undefined {
  const node = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node')
  return existsSync(node) ? { node, version: versionOf(node) } : undefined
}

/** The Node binaries the bundle is tested on: this machine's and Node 24, once each. */
export function runtimes(): Runtime[] {
  const found = new Map<string, Runtime>()
  for (const runtime of [machineNode(), node24()]) {
    if (runtime && !found.has(runtime.version)) found.set(runtime.version, runtime)
  }
  return [...found.values()]
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The raw GITHUB_OUTPUT file, for searching every byte the run wrote. */
  outputFile: string
  temp: string
}

/** Parses the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const [, name, delimiter] = match
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
    outputs[name] = value.join(os.EOL)
  }
  return outputs
}

export interface RunOptions {
  inputs: Record<string, string>
  workspace: string
  node?: string
  /** The bundle to run: BUNDLE (the pin action) unless given; the benchmark also compares builds. */
  bundle?: string
  /** Flags for node before the bundle (e.g. `--import` of a probe). */
  nodeArgs?: string[]
  env?: Record<string, string>
  /** Called with the child once it runs (to send signals, for example). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void
  timeoutMs?: number
}

/**
 * Every run's command files and RUNNER_TEMP, under one directory per process, since tests read a run's
 * manifest and checksums after it ends: removeRuns() deletes them all at once.
 */
let runsRoot: Promise<string> | undefined

export async function removeRuns(): Promise<void> {
  const root = runsRoot
  runsRoot = undefined
  if (root) await fs.rm(await root, { recursive: true, force: true })
}

// Under Jest each test file has its own instance of this module: its runs go when the file ends.
if (typeof afterAll === 'function') afterAll(removeRuns)

/** Runs `node dist/index.js` (or another bundle) the way the runner does: INPUT_* variables and the command files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  runsRoot ??= fs.mkdtemp(path.join(os.tmpdir(), 'numbers-runs-'))
  const temp = await fs.mkdtemp(path.join(await runsRoot, 'run-'))
  const outputPath = path.join(temp, 'output')
  const summaryPath = path.join(temp, 'summary')
  await fs.writeFile(outputPath, '')
  await fs.writeFile(summaryPath, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: temp,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'numbers-test/artifacts',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW: 'release',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), options.bundle ?? BUNDLE], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  options.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  // Decoded as a stream: a character split across two chunks (a long log's ✓) stays one character.
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', chunk => (stdout += chunk))
  child.stderr.on('data', chunk => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
    child.on('close', (c, s) => resolve([c, s]))
  )
  clearTimeout(timer)
  const outputFile = await fs.readFile(outputPath, 'utf8')
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseOutputFile(outputFile),
    summary: await fs.readFile(summaryPath, 'utf8'),
    outputFile,
    temp
  }
}

/** The `::error::` lines of a run, unescaped as the runner shows them. */
export function errorLines(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(line => line.startsWith('::error::'))
    .map(line => line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
}
