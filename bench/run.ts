/**
 * `npm run bench`: speed and memory of the action, each figure a ratio of two measurements taken in
 * this same run (so the machine's speed cancels out). Prints them and writes bench/results.json.
 * Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { finished } from 'node:stream/promises'
import { startNumbersMock } from '../__fixtures__/numbers-api.js'
import { BUNDLE, REPO_ROOT, removeRuns, runAction } from '../__tests__/helpers/run-action.js'
import { nidOfFile } from '../src/nid.js'

const MiB = 2 ** 20
const WORK = path.join(REPO_ROOT, '.bench')
const TOKEN = 'bench-token'
const PROBE = path.join(REPO_ROOT, 'bench', 'rss-probe.mjs')

async function makeFile(file: string, bytes: number): Promise<void> {
  const stat = await fs.stat(file).catch(() => undefined)
  if (stat?.size === bytes) return
  const out = createWriteStream(file)
  // Random 1 MiB blocks: incompressible, and unlike each other so no layer can shortcut them.
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(randomBytes(Math.min(MiB, left))))
      await new Promise<void>(resolve => out.once('drain', () => resolve()))
  }
  out.end()
  await finished(out)
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Best of `runs`, alternating the two so drift in the machine's load hits both alike. */
async function bestOfPairs(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>
): Promise<[number, number]> {
  let bestA = Infinity
  let bestB = Infinity
  for (let i = 0; i < runs; i++) {
    bestA = Math.min(bestA, await time(a))
    bestB = Math.min(bestB, await time(b))
  }
  return [bestA, bestB]
}

async function nidThroughput(): Promise<Record<string, number>> {
  const file = path.join(WORK, 'nid-256MiB.bin')
  await makeFile(file, 256 * MiB)
  await sha256File(file) // warm the page cache
  const [sha, nid] = await bestOfPairs(
    3,
    () => sha256File(file),
    () => nidOfFile(file, 1)
  )
  return {
    sha256MiBps: 256 / sha,
    nidMiBps: 256 / nid,
    ratio: sha / nid
  }
}

async function pinWallTime(concurrency: number): Promise<Record<string, number>> {
  const dir = path.join(WORK, 'pin-100x1MiB')
  await fs.mkdir(dir, { recursive: true })
  for (let i = 0; i < 100; i++) await makeFile(path.join(dir, `file-${String(i).padStart(3, '0')}.bin`), MiB)
  const latency = 0.2
  const mock = await startNumbersMock({ token: TOKEN, latencyMs: latency * 1000 })
  try {
    // From the action's spawn to its exit: the harness's own setup (temp dirs, command files) is not the action's.
    let start = 0n
    const result = await runAction({
      workspace: WORK,
      onSpawn: () => (start = process.hrtime.bigint()),
      inputs: {
        path: 'pin-100x1MiB/*.bin',
        'capture-token': TOKEN,
        concurrency: String(concurrency),
        'pin-api-url': mock.urls.pin,
        'nid-api-url': mock.urls.nid,
        'show-summary': 'false'
      }
    })
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    if (result.code !== 0 || result.outputs['pinned-count'] !== '100') {
      throw new Error(`pin run failed (exit ${result.code}): ${result.stdout.slice(-2000)}`)
    }
    const ideal = (100 * latency) / concurrency
    return { concurrency, seconds, idealSeconds: ideal, ratio: seconds / ideal }
  } finally {
    await mock.close()
  }
}

async function peakRss(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<number> {
  const rssFile = path.join(os.tmpdir(), `rss-${process.pid}-${Date.now()}`)
  const run = await runAction({
    workspace: WORK,
    inputs,
    nodeArgs: ['--import', PROBE],
    env: { ...env, RSS_FILE: rssFile }
  })
  if (run.code !== 0) throw new Error(`run failed (exit ${run.code}): ${run.stdout.slice(-2000)}`)
  const bytes = Number(await fs.readFile(rssFile, 'utf8'))
  await fs.rm(rssFile, { force: true })
  return bytes
}

async function memory(): Promise<Record<string, number>> {
  await makeFile(path.join(WORK, 'nid-1GiB.bin'), 1024 * MiB)
  await makeFile(path.join(WORK, 'nid-2GiB.bin'), 2048 * MiB)
  const nid1 = await peakRss({ path: 'nid-1GiB.bin', pin: 'false' })
  const nid2 = await peakRss({ path: 'nid-2GiB.bin', pin: 'false' })

  const mock = await startNumbersMock({ token: TOKEN })
  try {
    const upload = async (size: number): Promise<number> => {
      const dir = path.join(WORK, `upload-8x${size}MiB`)
      await fs.mkdir(dir, { recursive: true })
      for (let i = 0; i < 8; i++) await makeFile(path.join(dir, `file-${i}.bin`), size * MiB)
      return peakRss({
        path: `upload-8x${size}MiB/*.bin`,
        'capture-token': TOKEN,
        concurrency: '8',
        'max-file-size': `${size}MiB`,
        'pin-api-url': mock.urls.pin,
        'nid-api-url': mock.urls.nid
      })
    }
    const up25 = await upload(25)
    const up50 = await upload(50)
    return {
      nid1GiBPeakMB: nid1 / 1e6,
      nid2GiBPeakMB: nid2 / 1e6,
      nidGrowthWhenDoubled: nid2 / nid1,
      upload8x25MiBPeakMB: up25 / 1e6,
      upload8x50MiBPeakMB: up50 / 1e6,
      uploadGrowthWhenDoubled: up50 / up25
    }
  } finally {
    await mock.close()
  }
}

function coldStart(): { bareNodeMs: number; actionMs: number; coldStartMs: number } {
  const median = (args: string[]): number => {
    const times: number[] = []
    for (let i = 0; i < 15; i++) {
      const start = process.hrtime.bigint()
      // No inputs: the action starts, refuses the empty input, and exits — start-up is all it does.
      spawnSync(process.execPath, args, { env: { PATH: process.env.PATH ?? '' }, stdio: 'ignore', cwd: os.tmpdir() })
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]
  }
  const bare = median(['-e', '0'])
  const action = median([BUNDLE])
  return { bareNodeMs: bare, actionMs: action, coldStartMs: action - bare }
}

async function main(): Promise<void> {
  await fs.mkdir(WORK, { recursive: true })
  const bundleBytes = (await fs.stat(BUNDLE)).size
  const results = {
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30)
    },
    date: new Date().toISOString(),
    nidVsSha256: await nidThroughput(),
    pinConcurrency8: await pinWallTime(8),
    pinConcurrency1: await pinWallTime(1),
    memory: await memory(),
    startup: { ...coldStart(), bundleMB: bundleBytes / 1e6 }
  }
  const goals = [
    ['local Nid ÷ sha256 throughput', results.nidVsSha256.ratio, '≥ 0.85', results.nidVsSha256.ratio >= 0.85],
    [
      'pin 100×1 MiB @200 ms, concurrency 8 ÷ ideal',
      results.pinConcurrency8.ratio,
      '≤ 1.15',
      results.pinConcurrency8.ratio <= 1.15
    ],
    ['pin 100×1 MiB @200 ms, concurrency 1 ÷ ideal', results.pinConcurrency1.ratio, '(comparison)', true],
    ['peak RSS, Nid of 1 GiB (MB)', results.memory.nid1GiBPeakMB, '≤ 150', results.memory.nid1GiBPeakMB <= 150],
    [
      'peak RSS growth, 2 GiB ÷ 1 GiB',
      results.memory.nidGrowthWhenDoubled,
      '≤ 1.10',
      results.memory.nidGrowthWhenDoubled <= 1.1
    ],
    [
      'peak RSS, upload 8×25 MiB (MB)',
      results.memory.upload8x25MiBPeakMB,
      '≤ 150',
      results.memory.upload8x25MiBPeakMB <= 150
    ],
    [
      'peak RSS growth, 8×50 ÷ 8×25 MiB',
      results.memory.uploadGrowthWhenDoubled,
      '≤ 1.10',
      results.memory.uploadGrowthWhenDoubled <= 1.1
    ],
    ['cold start − bare node (ms)', results.startup.coldStartMs, '≤ 120', results.startup.coldStartMs <= 120],
    ['bundle size (MB)', results.startup.bundleMB, '≤ 1.5', results.startup.bundleMB <= 1.5]
  ] as const
  console.log(`\nBenchmarks on ${results.machine.cpuModel} (${results.machine.cpus} cores), Node ${process.version}\n`)
  for (const [name, value, goal, met] of goals) {
    console.log(`${met ? '✓' : '✗'} ${name.padEnd(48)} ${value.toFixed(2).padStart(9)}   goal ${goal}`)
  }
  const file = path.join(REPO_ROOT, 'bench', 'results.json')
  await fs.writeFile(
    file,
    `${JSON.stringify({ ...results, goals: goals.map(([name, value, goal, met]) => ({ name, value, goal, met })) }, null, 2)}\n`
  )
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`)

  // The README quotes the latest figures, with the machine they came from.
  const readme = path.join(REPO_ROOT, 'README.md')
  const table = [
    `Latest run: ${results.date.slice(0, 10)}, ${results.machine.cpuModel} (${results.machine.cpus} cores, ${results.machine.memoryGiB} GiB), Node ${results.machine.node}.`,
    '',
    '| Measure | Result | Goal |',
    '| --- | ---: | --- |',
    ...goals.map(([name, value, goal, met]) => `| ${name} | ${value.toFixed(2)} ${met ? '✓' : '✗'} | ${goal} |`)
  ].join('\n')
  const text = await fs.readFile(readme, 'utf8')
  const start = text.indexOf('<!-- bench:start -->')
  const end = text.indexOf('<!-- bench:end -->')
  if (start !== -1 && end > start) {
    await fs.writeFile(readme, `${text.slice(0, start)}<!-- bench:start -->\n${table}\n${text.slice(end)}`)
  }
}

try {
  await main()
} finally {
  await removeRuns()
}
