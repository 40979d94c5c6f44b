/**
 * `npm run bench`: speed and memory of the action, each figure a ratio of two measurements taken in
 * this same run (so the machine's speed cancels out). Prints them and writes bench/results.json.
 * Not part of `npm test`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { finished } from 'node:stream/promises'
import { startNumbersMock } from '../__fixtures__/numbers-api.js'
import { BUNDLE, REPO_ROOT, removeRuns, runAction } from '../__tests__/helpers/run-action.js'

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

/** Spawns a process and times it from its spawn to its exit. */
async function timeProcess(command: string, args: string[]): Promise<number> {
  const start = process.hrtime.bigint()
  const child = spawn(command, args, { stdio: 'ignore', cwd: WORK })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}`)
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** The bundled action, pin: false, timed from its spawn to its exit; also its peak RSS (bytes). */
async function timeAction(pattern: string, bundle = BUNDLE): Promise<{ seconds: number; peakRss: number }> {
  const rssFile = path.join(os.tmpdir(), `rss-${process.pid}-${Date.now()}`)
  let start = 0n
  const run = await runAction({
    workspace: WORK,
    bundle,
    inputs: { path: pattern, pin: 'false' },
    nodeArgs: ['--import', PROBE],
    env: { RSS_FILE: rssFile },
    onSpawn: () => (start = process.hrtime.bigint()),
    timeoutMs: 600_000
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await fs.rm(run.temp, { recursive: true, force: true })
  if (run.code !== 0) throw new Error(`action run failed (exit ${run.code}): ${run.stdout.slice(-2000)}`)
  const peakRss = Number(await fs.readFile(rssFile, 'utf8'))
  await fs.rm(rssFile, { force: true })
  return { seconds, peakRss }
}

/** `count` files of random bytes and sizes from `size(i)`, made once and kept in .bench/. */
async function makeFiles(dir: string, count: number, size: (i: number) => number): Promise<void> {
  const done = path.join(WORK, `${path.basename(dir)}.done`)
  if (await fs.stat(done).catch(() => undefined)) return
  await fs.rm(dir, { recursive: true, force: true })
  await fs.mkdir(dir, { recursive: true })
  for (let i = 0; i < count; i++) {
    await fs.writeFile(path.join(dir, `f${String(i).padStart(6, '0')}.bin`), randomBytes(size(i)))
  }
  await fs.writeFile(done, '')
}

/**
 * What users get: the bundled action (pin: false) against one Node process that reads the same
 * files through one reused 1 MiB buffer and sha256es them on one core; best of alternating rounds.
 * `ratio` is the baseline's time ÷ the action's (1 = as fast as a bare one-core sha256).
 */
async function hashingVsSha256(
  target: string,
  pattern: string,
  rounds: number,
  extra: Record<string, () => Promise<number>> = {}
): Promise<Record<string, number>> {
  const best: Record<string, number> = { action: Infinity, sha256: Infinity }
  let peakRss = 0
  const before = process.env.BENCH_BEFORE_BUNDLE
  for (let round = 0; round < rounds; round++) {
    const baseline = await timeProcess(process.execPath, [path.join(REPO_ROOT, 'bench', 'sha256-baseline.mjs'), target])
    best.sha256 = Math.min(best.sha256, baseline)
    const action = await timeAction(pattern)
    best.action = Math.min(best.action, action.seconds)
    peakRss = Math.max(peakRss, action.peakRss)
    // An earlier build (BENCH_BEFORE_BUNDLE=path/to/index.js), timed in the same rounds.
    if (before) best.before = Math.min(best.before ?? Infinity, (await timeAction(pattern, before)).seconds)
    for (const [name, run] of Object.entries(extra)) best[name] = Math.min(best[name] ?? Infinity, await run())
  }
  const ratios = Object.fromEntries(
    Object.entries(best)
      .filter(([name]) => name !== 'sha256')
      .map(([name, seconds]) => [`${name}Ratio`, best.sha256 / seconds])
  )
  return {
    ...Object.fromEntries(Object.entries(best).map(([n, s]) => [`${n}Seconds`, s])),
    ...ratios,
    peakRssMB: peakRss / 1e6
  }
}

async function hashing(): Promise<Record<string, Record<string, number>>> {
  await makeFile(path.join(WORK, 'nid-1GiB.bin'), 1024 * MiB)
  await makeFiles(path.join(WORK, 'files-2000x512KiB'), 2000, () => 512 * 1024)
  // Sizes 1 B–4 KiB, spread evenly (deterministic, so each run hashes the same bytes count).
  await makeFiles(path.join(WORK, 'files-100000-small'), 100_000, i => 1 + ((i * 2654435761) % 4096))
  const small = path.join(WORK, 'files-100000-small')
  return {
    oneFile1GiB: await hashingVsSha256(path.join(WORK, 'nid-1GiB.bin'), 'nid-1GiB.bin', 5),
    files2000x512KiB: await hashingVsSha256(path.join(WORK, 'files-2000x512KiB'), 'files-2000x512KiB/*', 7),
    files100000Small: await hashingVsSha256(small, 'files-100000-small/*', 5, {
      sha256sum: () => timeProcess('sh', ['-c', `find '${small}' -type f | xargs sha256sum > /dev/null`])
    })
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
    // `concurrency` requests at a time: 100 files take ceil(100 / concurrency) rounds of the latency.
    const ideal = Math.ceil(100 / concurrency) * latency
    return { concurrency, seconds, idealSeconds: ideal, ratio: seconds / ideal }
  } finally {
    await mock.close()
  }
}

/**
 * 100,000 pins of the small files against the mock at 0 ms latency, concurrency 64: how many files a
 * second the action pins, and its peak RSS, flat as the count grows (10,000 of them, then all):
 * results stream out, and a pin is remembered as a number.
 */
async function manyPins(): Promise<Record<string, number>> {
  const pins = async (pattern: string): Promise<{ files: number; seconds: number; rss: number }> => {
    const mock = await startNumbersMock({ token: TOKEN, latencyMs: 0 })
    try {
      const started = process.hrtime.bigint()
      const rss = await peakRss({
        path: pattern,
        'capture-token': TOKEN,
        concurrency: '64',
        'pin-api-url': mock.urls.pin,
        'nid-api-url': mock.urls.nid,
        'show-summary': 'false'
      })
      return { files: mock.requests.length, seconds: Number(process.hrtime.bigint() - started) / 1e9, rss }
    } finally {
      await mock.close()
    }
  }
  const tenth = await pins('files-100000-small/f00*')
  const all = await pins('files-100000-small/*')
  return {
    files: all.files,
    seconds: all.seconds,
    filesPerSecond: all.files / all.seconds,
    peakRssMB: all.rss / 1e6,
    peakRss10kMB: tenth.rss / 1e6,
    growthTenfold: all.rss / tenth.rss
  }
}

async function peakRss(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<number> {
  const rssFile = path.join(os.tmpdir(), `rss-${process.pid}-${Date.now()}`)
  const run = await runAction({
    workspace: WORK,
    inputs,
    nodeArgs: ['--import', PROBE],
    env: { ...env, RSS_FILE: rssFile },
    timeoutMs: 900_000
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
  // Flat as the file count grows: 10,000 of the small files (f000000–f009999), then all 100,000.
  const small10k = await peakRss({ path: 'files-100000-small/f00*', pin: 'false' })
  const small100k = await peakRss({ path: 'files-100000-small/*', pin: 'false' })

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
      smallFiles10kPeakMB: small10k / 1e6,
      smallFiles100kPeakMB: small100k / 1e6,
      smallFilesGrowthTenfold: small100k / small10k,
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
    hashing: await hashing(),
    pinConcurrency8: await pinWallTime(8),
    pinConcurrency1: await pinWallTime(1),
    pins100000: await manyPins(),
    memory: await memory(),
    startup: { ...coldStart(), bundleMB: bundleBytes / 1e6 }
  }
  // With BENCH_BEFORE_BUNDLE, the earlier build's hashing ratios, timed in the same rounds, side by side.
  const before = Object.entries({
    '1 GiB file': results.hashing.oneFile1GiB,
    '2,000 × 512 KiB': results.hashing.files2000x512KiB,
    '100,000 × 1 B–4 KiB': results.hashing.files100000Small
  })
    .filter(([, row]) => row.beforeRatio !== undefined)
    .map(
      ([what, row]) =>
        [`pin: false, ${what}: sha256 ÷ the earlier build's time`, row.beforeRatio, '(before)', true] as const
    )
  const goals: (readonly [string, number, string, boolean])[] = [
    [
      'pin: false, 1 GiB file: one-core sha256 ÷ action time',
      results.hashing.oneFile1GiB.actionRatio,
      '≥ 0.9',
      results.hashing.oneFile1GiB.actionRatio >= 0.9
    ],
    [
      'pin: false, 2,000 × 512 KiB: sha256 ÷ action time',
      results.hashing.files2000x512KiB.actionRatio,
      '≥ 0.9',
      results.hashing.files2000x512KiB.actionRatio >= 0.9
    ],
    [
      'pin: false, 100,000 × 1 B–4 KiB: sha256sum ÷ action',
      results.hashing.files100000Small.actionSeconds / results.hashing.files100000Small.sha256sumSeconds,
      '≤ 3 (times slower)',
      results.hashing.files100000Small.actionSeconds / results.hashing.files100000Small.sha256sumSeconds <= 3
    ],
    [
      'peak RSS, pin: false on these three (MB)',
      Math.max(...Object.values(results.hashing).map(h => h.peakRssMB)),
      '≤ 150',
      Math.max(...Object.values(results.hashing).map(h => h.peakRssMB)) <= 150
    ],
    [
      'pin 100×1 MiB @200 ms, concurrency 8 ÷ ideal',
      results.pinConcurrency8.ratio,
      '≤ 1.15',
      results.pinConcurrency8.ratio <= 1.15
    ],
    ['pin 100×1 MiB @200 ms, concurrency 1 ÷ ideal', results.pinConcurrency1.ratio, '(comparison)', true],
    ['pin 100,000 × 1 B–4 KiB @0 ms, concurrency 64: files/s', results.pins100000.filesPerSecond, '(measure)', true],
    [
      'peak RSS, pin 100,000 × 1 B–4 KiB (MB)',
      results.pins100000.peakRssMB,
      '≤ 150',
      results.pins100000.peakRssMB <= 150
    ],
    [
      'peak RSS growth, 100,000 ÷ 10,000 pins',
      results.pins100000.growthTenfold,
      '≤ 1.25',
      results.pins100000.growthTenfold <= 1.25
    ],
    ['peak RSS, Nid of 1 GiB (MB)', results.memory.nid1GiBPeakMB, '≤ 150', results.memory.nid1GiBPeakMB <= 150],
    [
      'peak RSS growth, 2 GiB ÷ 1 GiB',
      results.memory.nidGrowthWhenDoubled,
      '≤ 1.10',
      results.memory.nidGrowthWhenDoubled <= 1.1
    ],
    [
      'peak RSS growth, 100,000 ÷ 10,000 small files',
      results.memory.smallFilesGrowthTenfold,
      '≤ 1.25',
      results.memory.smallFilesGrowthTenfold <= 1.25
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
    ['bundle size (MB)', results.startup.bundleMB, '≤ 1.5', results.startup.bundleMB <= 1.5],
    ...before
  ]
  console.log(`\nBenchmarks on ${results.machine.cpuModel} (${results.machine.cpus} cores), Node ${process.version}\n`)
  for (const [name, value, goal, met] of goals) {
    console.log(`${met ? '✓' : '✗'} ${name.padEnd(56)} ${value.toFixed(2).padStart(9)}   goal ${goal}`)
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
