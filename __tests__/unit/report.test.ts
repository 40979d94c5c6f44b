import { EOL } from 'node:os'
import { Outputs, PIN_MONTHLY_COST_NUM } from '../../src/constants.js'
import { withSection } from '../../src/github-publish.js'
import { checksumsFile } from '../../src/report/checksums.js'
import { escapeMarkdown, formatBytes } from '../../src/report/format.js'
import { buildOutputs } from '../../src/report/outputs.js'
import { markdownTable, renderSummary, totalsLine } from '../../src/report/summary.js'
import { totalsOf, type Totals } from '../../src/report/totals.js'
import type { EntryResult } from '../../src/types.js'

const { summary } = await import('@actions/core')

const GW = 'https://gw.example/ipfs/'
const pinned: EntryResult = {
  source: 'file',
  path: 'a.bin',
  sha256: 'aa',
  size: 1,
  nid: 'bafy-a',
  cidVersion: 1,
  status: 'pinned',
  orderId: 'o1',
  fileUrl: `${GW}bafy-a`,
  gatewayUrl: `${GW}bafy-a`
}
const again: EntryResult = {
  source: 'file',
  path: 'b.bin',
  sha256: 'bb',
  size: 2,
  nid: 'bafy-a',
  cidVersion: 1,
  status: 'already-pinned',
  orderId: 'o1',
  gatewayUrl: `${GW}bafy-a`
}
const failedWithNid: EntryResult = {
  source: 'file',
  path: 'c.bin',
  sha256: 'cc',
  size: 3,
  nid: 'bafy-c',
  cidVersion: 1,
  status: 'failed',
  error: 'c.bin: Pin file to IPFS answered HTTP 500'
}
const urlPinned: EntryResult = {
  source: 'url',
  url: 'https://x/y',
  size: 4,
  nid: 'bafy-y',
  cidVersion: 1,
  status: 'pinned',
  orderId: 'o2',
  gatewayUrl: `${GW}bafy-y`
}
const nidOnly: EntryResult = {
  source: 'file',
  path: 'd.bin',
  sha256: 'dd',
  size: 5,
  nid: 'bafy-d',
  cidVersion: 1,
  status: 'nid-only'
}
const urlFailed: EntryResult = {
  source: 'url',
  url: 'https://x/z',
  cidVersion: 1,
  status: 'failed',
  error: 'https://x/z: Get Nid from File answered HTTP 404'
}
const all = [pinned, again, failedWithNid, urlPinned, nidOnly, urlFailed]
const files = { manifest: '/tmp/m.json', checksums: '/tmp/c.txt' }

describe('buildOutputs', () => {
  test('sets every output of the enum, and only those, as strings', () => {
    const outputs = buildOutputs(all, files)
    expect(Object.keys(outputs).sort()).toEqual(Object.values(Outputs).sort())
    for (const value of Object.values(outputs)) expect(typeof value).toBe('string')
  })

  test('results is the whole list as parsable JSON', () => {
    expect(JSON.parse(buildOutputs(all, files).results)).toEqual(all)
  })

  test('nids: only entries that succeeded (pinned, already pinned, Nid only), in order, duplicates kept', () => {
    expect(JSON.parse(buildOutputs(all, files).nids)).toEqual(['bafy-a', 'bafy-a', 'bafy-y', 'bafy-d'])
  })

  test('order-ids: only the pins created now (status pinned), not orders of already-pinned entries', () => {
    expect(JSON.parse(buildOutputs(all, files)['order-ids'])).toEqual(['o1', 'o2'])
    expect(JSON.parse(buildOutputs([again], files)['order-ids'])).toEqual([])
  })

  test('counts: entries, pinned (now or already), failed', () => {
    const outputs = buildOutputs(all, files)
    expect([outputs.count, outputs['pinned-count'], outputs['failed-count']]).toEqual(['6', '3', '2'])
  })

  test('manifest and checksums are the paths given', () => {
    const outputs = buildOutputs(all, files)
    expect([outputs.manifest, outputs.checksums]).toEqual(['/tmp/m.json', '/tmp/c.txt'])
  })

  test('nid and order-id are empty with more than one entry', () => {
    const outputs = buildOutputs([pinned, urlPinned], files)
    expect([outputs.nid, outputs['order-id']]).toEqual(['', ''])
  })

  test.each<[string, EntryResult, string, string]>([
    ['pinned', pinned, 'bafy-a', 'o1'],
    ['already pinned', again, 'bafy-a', 'o1'],
    ['Nid only', nidOnly, 'bafy-d', ''],
    ['failed (even with a Nid)', failedWithNid, '', ''],
    ['failed without a Nid', urlFailed, '', '']
  ])('with exactly one entry, %s: nid %j, order-id %j', (_name, entry, nid, orderId) => {
    const outputs = buildOutputs([entry], files)
    expect([outputs.nid, outputs['order-id']]).toEqual([nid, orderId])
  })

  test('no entries at all', () => {
    const outputs = buildOutputs([], files)
    expect(outputs).toEqual({
      results: '[]',
      nids: '[]',
      'order-ids': '[]',
      nid: '',
      'order-id': '',
      count: '0',
      'pinned-count': '0',
      'failed-count': '0',
      manifest: '/tmp/m.json',
      checksums: '/tmp/c.txt'
    })
  })

  test('awkward strings survive the JSON outputs', () => {
    const odd: EntryResult = { ...pinned, path: 'a "quoted"\n\\path</script>.bin' }
    expect(JSON.parse(buildOutputs([odd], files).results)[0].path).toBe(odd.path)
  })
})

describe('totals', () => {
  test('totalsOf counts each status', () => {
    expect(totalsOf(all)).toEqual({
      count: 6,
      pinned: 2,
      alreadyPinned: 1,
      nidOnly: 1,
      failed: 2,
      estimatedMonthlyCost: 0.058
    })
    expect(totalsOf([])).toEqual({
      count: 0,
      pinned: 0,
      alreadyPinned: 0,
      nidOnly: 0,
      failed: 0,
      estimatedMonthlyCost: 0
    })
  })

  test.each([
    [0, 0],
    [1, 0.029],
    [3, 0.087],
    [10, 0.29],
    [1000, 29]
  ])('%i new pins cost about %j NUM a month (pinned × 0.029, no float noise)', (count, cost) => {
    const results = Array.from({ length: count }, (): EntryResult => pinned)
    expect(totalsOf(results).estimatedMonthlyCost).toBe(cost)
    expect(totalsOf(results).estimatedMonthlyCost).toBeCloseTo(count * PIN_MONTHLY_COST_NUM, 10)
  })

  test('already-pinned, Nid-only and failed entries cost nothing new', () => {
    expect(totalsOf([again, nidOnly, failedWithNid]).estimatedMonthlyCost).toBe(0)
  })

  const totals = (parts: Partial<Totals>): Totals => ({
    count: 0,
    pinned: 0,
    alreadyPinned: 0,
    nidOnly: 0,
    failed: 0,
    estimatedMonthlyCost: 0,
    ...parts
  })

  test('totalsLine spells the counts and labels the cost as an estimate', () => {
    expect(totalsLine(totalsOf(all))).toBe(
      '6 entries · 2 pinned now · 1 already pinned · 1 Nid only · 2 failed — estimated cost of new pins: ~0.058 NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)'
    )
  })

  test('totalsLine: one entry is singular; no Nid-only part when there are none', () => {
    expect(totalsLine(totals({ count: 1, pinned: 1, estimatedMonthlyCost: 0.029 }))).toBe(
      '1 entry · 1 pinned now · 0 already pinned · 0 failed — estimated cost of new pins: ~0.029 NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)'
    )
  })

  test('totalsLine with nothing pinned costs ~0', () => {
    expect(totalsLine(totals({ count: 2, nidOnly: 2 }))).toMatch(
      /^2 entries · 0 pinned now · 0 already pinned · 2 Nid only · 0 failed — estimated cost of new pins: ~0 NUM per month/
    )
  })
})

describe('formatBytes', () => {
  test.each<[number | undefined, string]>([
    [undefined, '—'],
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024, '10.0 KiB'],
    [2 ** 20, '1.00 MiB'],
    [25 * 2 ** 20, '25.0 MiB'],
    [25e6, '23.8 MiB'],
    [3 * 2 ** 30, '3.00 GiB'],
    [5 * 2 ** 40, '5.00 TiB'],
    [2048 * 2 ** 40, '2048.0 TiB']
  ])('formatBytes(%j) = %j', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })

  /** The unit is chosen after rounding: 1048575 B is 1.00 MiB, not 1024.0 KiB. */
  test('a size just below a unit boundary is not shown as 1024 of the smaller unit', () => {
    expect(formatBytes(2 ** 20 - 1)).toBe('1.00 MiB')
  })
})

describe('escapeMarkdown', () => {
  test('neutralises table pipes, emphasis, HTML and entities; newlines become spaces', () => {
    expect(escapeMarkdown('a|b *c* <d> & e\nf\r\ng')).toBe('a\\|b \\*c\\* \\<d\\> &amp; e f g')
  })

  test.each([
    ['_under_', '\\_under\\_'],
    ['`code`', '\\`code\\`'],
    ['[link](x)', '\\[link\\]\\(x\\)'],
    ['# h', '\\# h'],
    ['!img', '\\!img'],
    ['~~s~~', '\\~\\~s\\~\\~'],
    ['{a}+b', '\\{a\\}\\+b'],
    ['back\\slash', 'back\\\\slash'],
    ['&amp;', '&amp;amp;'],
    ['plain-name_1.0.tgz', 'plain-name\\_1.0.tgz']
  ])('escapeMarkdown(%j) = %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped)
  })

  test('a file named a<b>&"c".txt', () => {
    expect(escapeMarkdown('a<b>&"c".txt')).toBe('a\\<b\\>&amp;"c".txt')
  })
})

describe('markdownTable', () => {
  test('a header, then one row per entry in order', () => {
    const lines = markdownTable(all).split('\n')
    expect(lines.slice(0, 2)).toEqual([
      '| Artifact | Size | Nid (gateway link) | Order ID | Status |',
      '| --- | ---: | --- | --- | --- |'
    ])
    expect(lines.slice(2)).toEqual([
      `| a.bin | 1 B | [\`bafy-a\`](${GW}bafy-a) | o1 | 📌 pinned |`,
      `| b.bin | 2 B | [\`bafy-a\`](${GW}bafy-a) | o1 | ✅ already pinned |`,
      '| c.bin | 3 B | `bafy-c` | — | ❌ failed |',
      `| https://x/y | 4 B | [\`bafy-y\`](${GW}bafy-y) | o2 | 📌 pinned |`,
      '| d.bin | 5 B | `bafy-d` | — | 🔖 Nid only |',
      '| https://x/z | — | — | — | ❌ failed |'
    ])
  })

  test('a pipe in a name cannot add a column', () => {
    const row = markdownTable([{ ...pinned, path: 'a|b|c.bin' }]).split('\n')[2]
    expect(row.split(/(?<!\\)\|/).length).toBe(7)
  })
})

describe('renderSummary', () => {
  beforeEach(() => {
    summary.emptyBuffer()
  })
  afterAll(() => {
    summary.emptyBuffer()
  })

  test('heading, totals, the table with gateway links, then the failures', () => {
    const returned = renderSummary(summary.emptyBuffer(), all)
    expect(returned).toBe(summary)
    const text = summary.stringify()
    expect(text.startsWith(`<h2>Numbers Protocol: IPFS Nids and pins</h2>${EOL}${EOL}`)).toBe(true)
    expect(text).toContain(`${totalsLine(totalsOf(all))}${EOL}`)
    expect(text).toContain(markdownTable(all))
    expect(text).toContain(`[\`bafy-a\`](${GW}bafy-a)`)
    expect(text).toContain(`[\`bafy-y\`](${GW}bafy-y)`)
    // The order: heading, totals, table, failures.
    const at = (needle: string): number => text.indexOf(needle)
    expect(at('<h2>')).toBeLessThan(at('6 entries'))
    expect(at('6 entries')).toBeLessThan(at('| Artifact |'))
    expect(at('| Artifact |')).toBeLessThan(at('<h3>Failures</h3>'))
    expect(text.slice(at('<h3>Failures</h3>'))).toBe(
      `<h3>Failures</h3>${EOL}${EOL}- c.bin: Pin file to IPFS answered HTTP 500${EOL}- https://x/z: Get Nid from File answered HTTP 404${EOL}`
    )
  })

  test('each table row is one line of the summary', () => {
    const text = renderSummary(summary.emptyBuffer(), all).stringify()
    const rows = text
      .split(EOL)
      .filter(line => line.startsWith('| ') && !line.startsWith('| Artifact') && !line.startsWith('| ---'))
    expect(rows).toHaveLength(all.length)
  })

  test('no failures section when nothing failed', () => {
    const text = renderSummary(summary.emptyBuffer(), [pinned, again]).stringify()
    expect(text).not.toContain('Failures')
    expect(text).toContain('2 entries · 1 pinned now · 1 already pinned · 0 failed')
  })

  test('a file named a<b>&"c".txt is escaped everywhere it appears', () => {
    const name = 'a<b>&"c".txt'
    const text = renderSummary(summary.emptyBuffer(), [
      { ...pinned, path: name },
      { ...failedWithNid, path: name, error: `${name}: failed <b>badly</b>` }
    ]).stringify()
    expect(text).toContain('| a\\<b\\>&amp;"c".txt | 1 B |')
    expect(text).toContain('- a\\<b\\>&amp;"c".txt: failed \\<b\\>badly\\</b\\>')
    expect(text).not.toContain('<b>')
    expect(text).not.toMatch(/&(?!amp;)/)
  })

  test('a failure without a message still shows a line', () => {
    const text = renderSummary(summary.emptyBuffer(), [
      { source: 'file', path: 'x', cidVersion: 1, status: 'failed' }
    ]).stringify()
    expect(text).toContain(`<h3>Failures</h3>${EOL}${EOL}- failed${EOL}`)
  })
})

describe('checksumsFile', () => {
  test('lists processed files (not URLs) in sha256sum format, two spaces, one per line', () => {
    expect(checksumsFile(all)).toBe('aa  a.bin\nbb  b.bin\ncc  c.bin\ndd  d.bin\n')
  })

  test('entries without a sha256 are left out; nothing gives an empty file', () => {
    expect(checksumsFile([{ source: 'file', path: 'gone.bin', cidVersion: 1, status: 'failed' }])).toBe('')
    expect(checksumsFile([])).toBe('')
  })
})

test('release notes keep the author’s text and replace only the marked section', () => {
  const once = withSection('Notes.', [pinned])
  expect(once).toMatch(
    /^Notes\.\n\n<!-- numbers-pin-action:start -->\n[\s\S]*a\.bin[\s\S]*<!-- numbers-pin-action:end -->$/
  )
  const twice = withSection(`${once}\n\nFooter.`, [urlPinned])
  expect(twice).not.toContain('a.bin')
  expect(twice).toContain('https://x/y')
  expect(twice.startsWith('Notes.\n\n<!-- numbers-pin-action:start -->')).toBe(true)
  expect(twice.endsWith('\n\nFooter.')).toBe(true)
  expect(withSection('', [pinned]).startsWith('<!-- numbers-pin-action:start -->')).toBe(true)
})
