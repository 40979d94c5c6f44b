/**
 * GitHub's limits hold at any file count, through the bundle: 20,000 files (1 byte each, in 100
 * folders; `pin: false`, so nothing is sent). Not timed: only what the step reports is checked.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { YOUNG_GENERATION_CAP } from '../../src/heap.js'
import { runAction, runtimes, type ActionRun } from '../helpers/run-action.js'

const FOLDERS = 100
const PER_FOLDER = 200
const FILES = FOLDERS * PER_FOLDER

let workspace: string
let run: ActionRun
beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-scale-'))
  for (let f = 0; f < FOLDERS; f++) {
    const folder = path.join(workspace, 'out', `d${f}`)
    await fs.mkdir(folder, { recursive: true })
    await Promise.all(
      Array.from({ length: PER_FOLDER }, (_, i) => fs.writeFile(path.join(folder, `f${i}.bin`), String(i % 10)))
    )
  }
  run = await runAction({ workspace, inputs: { path: 'out/**', pin: 'false' }, timeoutMs: 15 * 60_000 })
}, 20 * 60_000)
afterAll(async () => {
  await fs.rm(workspace, { recursive: true, force: true })
  if (run) await fs.rm(run.temp, { recursive: true, force: true })
})

test('the step succeeds', () => {
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
})

test('all outputs together stay under 1 MB as GitHub counts them (UTF-16), and say they were cut', () => {
  const utf16 = Object.entries(run.outputs).reduce((sum, [name, value]) => sum + 2 * (name.length + value.length), 0)
  expect(utf16).toBeLessThan(1_000_000)
  expect(run.outputs.count).toBe(String(FILES))
  expect(run.outputs.truncated).toBe('true')
  const kept = JSON.parse(run.outputs.results) as unknown[]
  expect(kept.length).toBeGreaterThan(100)
  expect(run.outputs['results-count']).toBe(String(kept.length))
})

test('the summary stays within 1 MiB and says where the rest is', () => {
  expect(Buffer.byteLength(run.summary)).toBeLessThanOrEqual(2 ** 20)
  expect(run.summary).toContain('20,000 entries · 20,000 Nids computed · 0 failed')
  expect(run.summary).toMatch(/more entries: see the manifest \(`[^`]+numbers-manifest\.json`\)/)
})

test('at most 10 annotations of each kind; the checksums file is too big for actions/attest, and says so', () => {
  const lines = run.stdout.split('\n')
  for (const kind of ['error', 'warning', 'notice']) {
    expect(lines.filter(line => line.startsWith(`::${kind}`)).length).toBeLessThanOrEqual(10)
  }
  expect(run.stdout).toMatch(
    /::warning::The checksums file lists 20,000 files .*actions\/attest takes at most 1,024 subjects/
  )
})

test('the manifest holds every entry, and the log says where it is', async () => {
  const manifest = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8')) as {
    results: unknown[]
    complete: boolean
  }
  expect(manifest.complete).toBe(true)
  expect(manifest.results).toHaveLength(FILES)
  expect(run.stdout).toContain(`Every entry is in the manifest: ${run.outputs.manifest}`)
  const checksums = await fs.readFile(run.outputs.checksums, 'utf8')
  expect(checksums.split('\n')).toHaveLength(FILES + 1)
})

test('the log: the plan first, every entry once in a folded group, in order, then the totals', () => {
  const lines = run.stdout.split('\n')
  expect(lines).toContain('pin: false — nothing is sent anywhere; computing the Nids of 20,000 files (19.5 KiB)')
  const start = lines.indexOf('::group::Every entry (20,000), in order')
  expect(start).toBeGreaterThan(-1)
  const end = lines.indexOf('::endgroup::', start)
  expect(end - start - 1).toBe(FILES)
  expect(lines[start + 1]).toMatch(/^✓ out\/d0\/f0\.bin: bafk\w+ \(Nid only\)$/)
  // Per-entry lines appear nowhere else.
  expect(lines.filter(line => line.startsWith('✓'))).toHaveLength(FILES)
  expect(lines.findIndex(line => line.startsWith('Done: 20,000 Nids computed · 0 failed'))).toBeGreaterThan(end)
})

/** Preloaded into the action: the young generation's largest size after any collection, on stderr at exit. */
const YOUNG_PROBE = `
import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'
const young = () => v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size
let largest = young()
new PerformanceObserver(() => { largest = Math.max(largest, young()) }).observe({ entryTypes: ['gc'] })
process.on('exit', () => process.stderr.write('young generation: ' + Math.max(largest, young()) + '\\n'))
`

test.each(runtimes())(
  'on Node $version the young generation stops growing at 32 MiB (Node 24 would take 64 MiB here)',
  async ({ node }) => {
    const probe = path.join(workspace, 'young-probe.mjs')
    await fs.writeFile(probe, YOUNG_PROBE)
    const probed = await runAction({
      workspace,
      node,
      nodeArgs: ['--import', probe],
      inputs: { path: 'out/**', pin: 'false' },
      timeoutMs: 15 * 60_000
    })
    await fs.rm(probed.temp, { recursive: true, force: true })
    expect(probed.code).toBe(0)
    const largest = Number(/young generation: (\d+)/.exec(probed.stderr)?.[1])
    expect(largest).toBeGreaterThan(0)
    expect(largest).toBeLessThanOrEqual(YOUNG_GENERATION_CAP)
  },
  15 * 60_000
)
