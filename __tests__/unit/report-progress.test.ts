import {
  closingLine,
  entryLine,
  failureMessage,
  formatDuration,
  hiddenSkipped,
  openingLine,
  progressLine
} from '../../src/report/log-lines.js'
import { countingPins, RunProgress } from '../../src/report/progress.js'
import type { EntryResult } from '../../src/types.js'
import { resultSetOf } from '../../src/result-spool.js'
import { digestOf } from '../helpers/results.js'

const NID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
const ok = (i: number, size = 1): EntryResult => ({
  source: 'file',
  path: `f${i}`,
  size,
  nid: NID,
  cidVersion: 1,
  status: 'nid-only'
})
const bad = (i: number): EntryResult => ({
  source: 'file',
  path: `f${i}`,
  size: 1,
  cidVersion: 1,
  status: 'failed',
  error: `f${i}: broke`
})

describe('log lines', () => {
  test.each([
    [
      { pin: false, nidSource: 'local', files: 42, bytes: 1_258_291, urls: 0 },
      'pin: false — nothing is sent anywhere; computing the Nids of 42 files (1.20 MiB)'
    ],
    [
      { pin: false, nidSource: 'api', files: 1, bytes: 12, urls: 2 },
      "pin: false — nothing is pinned; computing the Nids of 1 file (12 B), each checked by Numbers' Get Nid from File (nid-source: api), and of 2 URLs, which Numbers fetches"
    ],
    [
      { pin: true, nidSource: 'local', files: 42, bytes: 1_258_291, urls: 0 },
      'Pinning 42 files (1.20 MiB) to Numbers: at most ~1.218 NUM per month for new pins (0.029 NUM each; content an earlier run pinned is not paid again)'
    ],
    [
      { pin: true, nidSource: 'local', files: 0, bytes: 0, urls: 1 },
      'Pinning 1 URL to Numbers: at most ~0.029 NUM per month for new pins (0.029 NUM each; content an earlier run pinned is not paid again)'
    ],
    [{ pin: true, nidSource: 'local', files: 0, bytes: 0, urls: 0 }, 'Nothing to do: no files and no URLs']
  ] as const)('opening line of %j', (plan, line) => {
    expect(openingLine(plan)).toBe(line)
  })

  test('one line per entry: already pinned says it all in one line', () => {
    expect(entryLine({ ...ok(1), status: 'already-pinned', orderId: 'o-1' })).toBe(
      `✓ f1: ${NID} (already pinned, order o-1; not paid again)`
    )
    expect(entryLine({ ...ok(1), status: 'pinned', orderId: 'o-2' })).toBe(`✓ f1: ${NID} (pinned, order o-2)`)
    expect(entryLine(ok(1))).toBe(`✓ f1: ${NID} (Nid only)`)
    expect(entryLine({ ...ok(1), status: 'repinned', orderId: 'o-3' })).toBe(
      `✓ f1: ${NID} (re-pinned: its earlier pin was missing at the gateway, order o-3)`
    )
    expect(entryLine(bad(1))).toBe('✗ f1: broke')
    expect(entryLine({ ...bad(1), error: 'x'.repeat(10_000) })).toHaveLength(402)
  })

  test('closing line: totals, cost, and where the manifest is', () => {
    const pinned = { ...ok(1), status: 'pinned' as const }
    expect(closingLine(digestOf([pinned, pinned, bad(3)]).totals, true, '/t/m.json')).toBe(
      'Done: 2 pinned now · 0 already pinned · 1 failed — ~0.058 NUM per month for the new pins. Every entry is in the manifest: /t/m.json'
    )
    const repinned = { ...ok(2), status: 'repinned' as const }
    expect(closingLine(digestOf([pinned, repinned]).totals, true, '/t/m.json')).toBe(
      'Done: 1 pinned now · 1 re-pinned · 0 already pinned · 0 failed — ~0.058 NUM per month for the new pins. Every entry is in the manifest: /t/m.json'
    )
    expect(closingLine(digestOf([ok(1)]).totals, false, '/t/m.json')).toBe(
      'Done: 1 Nid computed · 0 failed; nothing pinned. Every entry is in the manifest: /t/m.json'
    )
  })

  test('failure message: the first 20 failures, then how many more and where', () => {
    const failures = Array.from({ length: 25_000 }, (_, i) => bad(i))
    const message = failureMessage(
      digestOf([...failures, ...Array.from({ length: 5000 }, (_, i) => ok(i))]),
      '/t/m.json'
    )
    const lines = message.split('\n')
    expect(lines[0]).toBe('25,000 of 30,000 entries failed:')
    expect(lines).toHaveLength(22)
    expect(lines[20]).toBe('  - f19: broke')
    expect(lines[21]).toBe('  … and 24,980 more: see the manifest, /t/m.json')
    expect(failureMessage(digestOf([bad(0)]), '/m')).toBe('1 of 1 entry failed:\n  - f0: broke')
  })

  test('hidden files: a count and the remedy; names in debug, capped', () => {
    expect(hiddenSkipped(0)).toEqual({ debug: [] })
    expect(hiddenSkipped(3)).toEqual({
      info: '3 hidden files matched but were skipped; set include-hidden-files: true to include them',
      debug: []
    })
    const named = hiddenSkipped(['.env', 'a/.git/config', '.cache/x'], 2)
    expect(named.info).toBe(
      '3 hidden files matched but were skipped; set include-hidden-files: true to include them (named in the debug log)'
    )
    expect(named.debug).toEqual(['skipped hidden file: .env', 'skipped hidden file: a/.git/config', '… and 1 more'])
    expect(hiddenSkipped(['.env']).info).toMatch(/^1 hidden file matched but was skipped/)
  })

  test.each([
    [0, '0s'],
    [44_600, '45s'],
    [185_000, '3m 05s'],
    [3_725_000, '1h 02m']
  ])('formatDuration(%j) = %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  test('progress line', () => {
    expect(
      progressLine({
        settled: 1234,
        total: 20_000,
        bytes: 2 ** 30,
        totalBytes: 3 * 2 ** 30,
        elapsedMs: 20_000,
        leftMs: 70_000,
        pinsInFlight: 4,
        failed: 2
      })
    ).toBe(
      'Progress: 1,234 of 20,000 entries · 1.00 GiB of 3.00 GiB · 51.2 MiB/s · ~1m 10s left · 4 pins in flight · 2 failed'
    )
    expect(
      progressLine({ settled: 0, total: 1, bytes: 0, totalBytes: 0, elapsedMs: 0, pinsInFlight: 0, failed: 0 })
    ).toBe('Progress: 0 of 1 entry · 0 failed')
  })
})

describe('RunProgress (a clock injected: no timers)', () => {
  let now: number
  let log: string[]
  /** Where the log waited for its reader, by position in `log`. */
  let drains: number[]
  const progress = (total: number, totalBytes = total): RunProgress =>
    new RunProgress({
      total,
      totalBytes,
      now: () => now,
      log: {
        info: m => log.push(m),
        startGroup: t => log.push(`::group::${t}`),
        endGroup: () => log.push('::endgroup::'),
        drained: async () => void drains.push(log.length)
      }
    })
  beforeEach(() => {
    now = 1000
    log = []
    drains = []
  })

  test('a short run prints one line per entry, in the entries’ order, as soon as those before are done', async () => {
    const p = progress(3)
    expect(p.detailed).toBe(true)
    p.settled(1, ok(1))
    expect(log).toEqual([])
    p.settled(0, ok(0))
    expect(log).toEqual([entryLine(ok(0)), entryLine(ok(1))])
    p.settled(2, bad(2))
    await p.finish(resultSetOf([ok(0), ok(1), bad(2)]))
    expect(log).toEqual([entryLine(ok(0)), entryLine(ok(1)), entryLine(bad(2))])
  })

  test('a cancelled short run still prints what finished after an entry that never did', async () => {
    const p = progress(3)
    p.settled(2, ok(2))
    await p.finish(resultSetOf([ok(2)]))
    expect(log).toEqual([entryLine(ok(2))])
  })

  test('a single big file being hashed shows progress when nothing was printed for 5 s', () => {
    const p = progress(1, 2 * 2 ** 30)
    p.onBytes(2 ** 28)
    expect(log).toEqual([])
    now += 5000
    p.onBytes(2 ** 28)
    expect(log).toEqual(['Progress: 0 of 1 entry · 512.0 MiB of 2.00 GiB · 102.4 MiB/s · ~15s left · 0 failed'])
    now += 1000
    p.tick()
    expect(log).toHaveLength(1)
    now += 4000
    p.tick()
    expect(log).toHaveLength(2)
  })

  test('a long run: progress lines, the first failures live, then every entry folded, in order', async () => {
    const p = progress(200)
    expect(p.detailed).toBe(false)
    for (let i = 0; i < 200; i++) {
      now += 100
      p.settled(i, i % 10 === 0 ? bad(i) : ok(i))
    }
    const live = log.slice()
    expect(live.filter(l => l.startsWith('✗'))).toHaveLength(10)
    expect(live).toContain('Further failures are counted in the progress lines')
    expect(live.filter(l => l.startsWith('✓'))).toEqual([])
    const progressLines = live.filter(l => l.startsWith('Progress:'))
    // 20 s of work; the live failure lines (one a second for 10 s) were output too: 5 s after each line.
    expect(progressLines).toEqual([
      'Progress: 141 of 200 entries · 141 B of 200 B · 10 B/s · ~6s left · 15 failed',
      'Progress: 191 of 200 entries · 191 B of 200 B · 10 B/s · ~1s left · 20 failed'
    ])
    log = []
    const results = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? bad(i) : ok(i)))
    await p.finish(resultSetOf(results))
    expect(log[0]).toBe('::group::Every entry (200), in order')
    // 200 short lines: one write.
    expect(log.slice(1, -1)).toEqual([results.map(entryLine).join('\n')])
    expect(log.at(-1)).toBe('::endgroup::')
  })

  test('a long run’s folded list is written in batches of about 64 KiB, every line whole and in order', async () => {
    const results = Array.from({ length: 3000 }, (_, i) => ok(i))
    const p = progress(results.length)
    await p.finish(resultSetOf(results))
    const batches = log.slice(1, -1)
    expect(batches.length).toBeGreaterThan(1)
    // It waits for the log's reader after each full batch, not after the last one.
    expect(drains).toEqual(batches.slice(0, -1).map((_, i) => i + 2))
    expect(batches.join('\n').split('\n')).toEqual(results.map(entryLine))
    const longestLine = Math.max(...results.map(r => entryLine(r).length))
    for (const batch of batches) expect(batch.length).toBeLessThan(64 * 1024 + longestLine)
  })

  test('time left is the slower of the estimates by entries and by bytes', () => {
    const p = progress(100, 1000)
    now += 10_000
    // Half the bytes hashed, a tenth of the entries done: ~90 s left by entries, ~10 s by bytes.
    p.onBytes(500)
    for (let i = 0; i < 10; i++) p.settled(i, ok(i, 0))
    now += 5000
    p.tick()
    expect(log.at(-1)).toMatch(/~2m 15s left/)
  })

  test('countingPins counts the pins in flight for the progress line', async () => {
    const p = progress(100)
    let release: () => void = () => undefined
    const api = countingPins(
      {
        getNid: async () => ({ cid: NID, fileSize: 1, cidVersion: 1 }),
        pin: () =>
          new Promise(
            resolve => (release = () => resolve({ cid: NID, orderId: 'o', fileUrl: '', fileSize: 1, cidVersion: 1 }))
          )
      },
      p
    )
    const pending = api.pin({ kind: 'url', url: 'https://x', shown: 'https://x' }, 1)
    now += 5000
    p.tick()
    expect(log.at(-1)).toContain('1 pin in flight')
    release()
    await pending
    now += 5000
    p.tick()
    expect(log.at(-1)).not.toContain('in flight')
  })
})
