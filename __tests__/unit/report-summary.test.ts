import { commentBody, withSection } from '../../src/github-publish.js'
import { characters, markdownTable, summaryMarkdown, utf8Bytes } from '../../src/report/summary.js'
import type { EntryResult } from '../../src/types.js'
import { digestOf } from '../helpers/results.js'

const GW = 'https://gw.example/ipfs/'
const NID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
const NID2 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const ORDER = '0b7f6a2e-9c1d-4e5f-8a7b-6c5d4e3f2a1b'
const NBSP = '\u00a0'
const WJ = '\u2060'

const pinned: EntryResult = {
  source: 'file',
  path: 'dist/a.bin',
  size: 262_144,
  sha256: 'a'.repeat(64),
  nid: NID,
  cidVersion: 1,
  status: 'pinned',
  orderId: ORDER,
  gatewayUrl: `${GW}${NID}`
}
const nidOnly: EntryResult = {
  source: 'file',
  path: 'dist/b.bin',
  size: 5,
  nid: NID2,
  cidVersion: 1,
  status: 'nid-only'
}
const failed: EntryResult = {
  source: 'url',
  url: 'https://x/z',
  cidVersion: 1,
  status: 'failed',
  error: 'https://x/z: Get Nid from File answered HTTP 404'
}
const table = (results: EntryResult[]): string =>
  markdownTable(results, { limit: 1e6, measure: characters, rest: 'the manifest' })
const rowsOf = (text: string): string[] =>
  text.split('\n').filter(l => l.startsWith('| ') && !/^\| (Artifact|---)/.test(l))

describe('markdownTable', () => {
  test('a re-pinned entry is labelled as such, with its new order', () => {
    const [row] = rowsOf(table([{ ...pinned, status: 'repinned' }]))
    expect(row).toContain(`<code title="${ORDER}">`)
    expect(row.endsWith(`| 🔁${NBSP}re-pinned |`)).toBe(true)
  })

  test('with pins: an Order ID column, gateway links on short Nids, cells that do not wrap', () => {
    const lines = table([pinned, failed]).split('\n')
    expect(lines.slice(0, 2)).toEqual([
      `| Artifact | Size | Nid${NBSP}(gateway${NBSP}link) | Order${NBSP}ID | Status |`,
      '| --- | ---: | --- | --- | --- |'
    ])
    expect(lines[2]).toBe(
      `| dist/a.bin | <span title="262,144 bytes">256.0${NBSP}KiB</span> | [<code title="${NID}">bafkrei${WJ}…${WJ}vei4</code>](${GW}${NID}) | <code title="${ORDER}">0b7f6a2${WJ}…${WJ}2a1b</code> | 📌${NBSP}pinned |`
    )
    expect(lines[3]).toBe(`| https://x/z | — | — | — | ❌${NBSP}failed |`)
  })

  test('without pins (pin: false): no Order ID column, and no header promising links', () => {
    const lines = table([nidOnly]).split('\n')
    expect(lines.slice(0, 3)).toEqual([
      '| Artifact | Size | Nid | Status |',
      '| --- | ---: | --- | --- |',
      `| dist/b.bin | 5${NBSP}B | <code title="${NID2}">bafkrei${WJ}…${WJ}vyku</code> | 🔖${NBSP}Nid${NBSP}only |`
    ])
  })

  test('the full Nids and order IDs are in a folded block to copy, as sent', () => {
    const text = table([pinned, nidOnly, failed])
    expect(text).toContain(
      `<details><summary>Full Nids and order IDs, to copy</summary>\n\n<pre>\n${NID}  ${ORDER}  dist/a.bin\n${NID2}  -  dist/b.bin\n</pre>\n\n</details>`
    )
  })

  test('sizes that round alike but differ are shown to the byte', () => {
    const sized = (size: number, name: string): EntryResult => ({ ...nidOnly, path: name, size })
    const rows = rowsOf(table([sized(262_143, 'a'), sized(262_144, 'b'), sized(262_145, 'c'), sized(2 ** 20, 'd')]))
    expect(rows.map(r => r.split(' | ')[1])).toEqual([
      `262,143${NBSP}B`,
      `262,144${NBSP}B`,
      `262,145${NBSP}B`,
      `<span title="1,048,576 bytes">1.00${NBSP}MiB</span>`
    ])
  })

  test('hostile server strings are cut and cannot break the table, a link or an attribute', () => {
    const hostile: EntryResult = {
      ...pinned,
      nid: 'bafy"><script>x</script>) | x',
      orderId: `a|b<i>${'x'.repeat(500)}`,
      gatewayUrl: `${GW}bafy"><script>x</script>) | x`
    }
    const row = rowsOf(table([hostile]))[0]
    expect(row).not.toMatch(/<script>|<i>/)
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7)
    expect(row).not.toContain('x'.repeat(64))
  })

  test('@mentions in file names mention no one', () => {
    expect(rowsOf(table([{ ...nidOnly, path: 'dist/@octocat.txt' }]))[0]).toContain('dist/@\u200boctocat.txt')
  })

  test('rows that do not fit the limit: as many as fit, then how many more and where', () => {
    const many = Array.from({ length: 1000 }, (_, i): EntryResult => ({ ...pinned, path: `f${i}` }))
    const text = markdownTable(many, { limit: 10_000, measure: characters, rest: 'the manifest (`/m.json`)' })
    expect(text.length).toBeLessThanOrEqual(10_000)
    const shown = rowsOf(text).length
    expect(shown).toBeGreaterThan(10)
    expect(text).toContain(`_${1000 - shown} more entries: see the manifest (\`/m.json\`)_`)
    // The copyable block holds the rows shown, no more.
    expect(text.match(new RegExp(`${NID}  `, 'g'))).toHaveLength(shown)
  })
})

describe('summaryMarkdown', () => {
  test('a few entries with pins: heading, totals with the cost, table, failures', () => {
    const text = summaryMarkdown(digestOf([pinned, nidOnly, failed]), { pin: true, manifestPath: '/t/m.json' })
    expect(text.startsWith('## Numbers Protocol: IPFS Nids and pins\n\n3 entries · 1 pinned now')).toBe(true)
    expect(text).toContain('estimated cost of new pins: ~0.029 NUM per month')
    expect(text).toContain(table([pinned, nidOnly, failed]))
    expect(text.endsWith('### Failures\n\n- https://x/z: Get Nid from File answered HTTP 404\n')).toBe(true)
    expect(text).not.toContain('more entries')
  })

  test('pin: false: no cost line, no Order ID column', () => {
    const text = summaryMarkdown(digestOf([nidOnly]), { pin: false, manifestPath: '/t/m.json' })
    expect(text).toContain('1 entry · 1 Nid computed · 0 failed — `pin: false`: nothing was pinned')
    expect(text).not.toMatch(/NUM|Order ID|gateway/)
  })

  test('100,000 entries: within 1 MiB, totals kept, failures up to 100 by reason, then where the rest is', () => {
    const many = Array.from({ length: 100_000 }, (_, i): EntryResult =>
      i % 10 === 3
        ? { ...failed, url: `https://x/${i}`, error: `https://x/${i}: ${'bad '.repeat(300)}` }
        : { ...pinned, path: `dist/ü/${i}.bin` }
    )
    const text = summaryMarkdown(digestOf(many), { pin: true, manifestPath: '/t/m.json' })
    expect(utf8Bytes(text)).toBeLessThanOrEqual(1_000_000)
    expect(text).toContain('100,000 entries · 90,000 pinned now · 0 already pinned · 10,000 failed')
    const failures = text.slice(text.indexOf('### Failures'))
    expect(failures.match(/^- https/gm)).toHaveLength(100)
    expect(failures).toContain('- _9,900 more failures: see the manifest (`/t/m.json`)_')
    // Each reason is cut to a bounded length.
    expect(Math.max(...failures.split('\n').map(l => l.length))).toBeLessThanOrEqual(420)
    const shown = rowsOf(text).length
    expect(shown).toBeGreaterThan(1000)
    expect(text).toContain(
      `_${(100_000 - shown).toLocaleString('en-US')} more entries: see the manifest (\`/t/m.json\`)_`
    )
  })

  test('a smaller limit is kept too', () => {
    const many = Array.from({ length: 500 }, (_, i): EntryResult => ({ ...pinned, path: `${i}` }))
    expect(
      utf8Bytes(summaryMarkdown(digestOf(many), { pin: true, manifestPath: '/m', limit: 20_000 }))
    ).toBeLessThanOrEqual(20_000)
  })
})

describe('PR comment and release notes', () => {
  const many = Array.from({ length: 5000 }, (_, i): EntryResult => ({ ...pinned, path: `dist/${i}.bin` }))

  test('a comment of 5,000 entries stays under GitHub’s 65,536 characters and points to the run', () => {
    const body = commentBody(digestOf(many), 'https://github.com/o/r/actions/runs/1')
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body).toMatch(
      /_\d[\d,]* more entries: see the manifest of \[this run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\)_/
    )
  })

  test('release notes keep the author’s text and replace only the marked section', () => {
    const once = withSection('Notes.', digestOf([pinned]))
    expect(once).toMatch(
      /^Notes\.\n\n<!-- numbers-pin-action:start -->\n[\s\S]*a\.bin[\s\S]*<!-- numbers-pin-action:end -->$/
    )
    const twice = withSection(
      `${once}\n\nFooter.`,
      digestOf([{ ...nidOnly, source: 'url', path: undefined, url: 'https://x/y' }])
    )
    expect(twice).not.toContain('a.bin')
    expect(twice).toContain('https://x/y')
    expect(twice.startsWith('Notes.\n\n<!-- numbers-pin-action:start -->')).toBe(true)
    expect(twice.endsWith('\n\nFooter.')).toBe(true)
    expect(withSection('', digestOf([pinned])).startsWith('<!-- numbers-pin-action:start -->')).toBe(true)
  })

  test('release notes with 5,000 entries beside a long text stay under 125,000 characters', () => {
    const author = 'x'.repeat(50_000)
    const body = withSection(author, digestOf(many), 'https://github.com/o/r/actions/runs/1')
    expect(body.length).toBeLessThanOrEqual(125_000)
    expect(body.startsWith(author)).toBe(true)
    expect(body).toContain('more entries')
  })
})
