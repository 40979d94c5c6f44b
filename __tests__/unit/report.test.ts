import type { EntryResult } from '../../src/pipeline.js'
import { buildOutputs, checksumsFile, escapeMarkdown, formatBytes, totalsLine, totalsOf } from '../../src/report.js'
import { withSection } from '../../src/github-publish.js'

const results: EntryResult[] = [
  {
    source: 'file',
    path: 'a.bin',
    sha256: 'aa',
    size: 1,
    nid: 'bafy-a',
    cidVersion: 1,
    status: 'pinned',
    orderId: 'o1'
  },
  {
    source: 'file',
    path: 'b.bin',
    sha256: 'bb',
    size: 2,
    nid: 'bafy-a',
    cidVersion: 1,
    status: 'already-pinned',
    orderId: 'o1'
  },
  { source: 'file', path: 'c.bin', sha256: 'cc', size: 3, nid: 'bafy-c', cidVersion: 1, status: 'failed', error: 'no' },
  { source: 'url', url: 'https://x/y', size: 4, nid: 'bafy-y', cidVersion: 1, status: 'pinned', orderId: 'o2' }
]

test('outputs: Nids of successes, order IDs created now, counts', () => {
  const outputs = buildOutputs(results, { manifest: '/m.json', checksums: '/c.txt' })
  expect(JSON.parse(outputs.results)).toEqual(results)
  expect(JSON.parse(outputs.nids)).toEqual(['bafy-a', 'bafy-a', 'bafy-y'])
  expect(JSON.parse(outputs['order-ids'])).toEqual(['o1', 'o2'])
  expect([outputs.count, outputs['pinned-count'], outputs['failed-count']]).toEqual(['4', '3', '1'])
  expect([outputs.nid, outputs['order-id'], outputs.manifest, outputs.checksums]).toEqual(['', '', '/m.json', '/c.txt'])
})

test('nid and order-id are set for exactly one entry, and not for a failure', () => {
  const one = buildOutputs([results[0]], { manifest: '', checksums: '' })
  expect([one.nid, one['order-id']]).toEqual(['bafy-a', 'o1'])
  expect(buildOutputs([results[2]], { manifest: '', checksums: '' }).nid).toBe('')
})

test('totals and the labelled cost estimate', () => {
  expect(totalsOf(results)).toEqual({
    count: 4,
    pinned: 2,
    alreadyPinned: 1,
    nidOnly: 0,
    failed: 1,
    estimatedMonthlyCost: 0.058
  })
  expect(totalsLine(totalsOf(results))).toBe(
    '4 entries · 2 pinned now · 1 already pinned · 1 failed — estimated cost of new pins: ~0.058 NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)'
  )
})

test('checksums file lists files in sha256sum format', () => {
  expect(checksumsFile(results)).toBe('aa  a.bin\nbb  b.bin\ncc  c.bin\n')
})

test.each<[number | undefined, string]>([
  [undefined, '—'],
  [0, '0 B'],
  [1023, '1023 B'],
  [1024, '1.00 KiB'],
  [25 * 2 ** 20, '25.0 MiB'],
  [3 * 2 ** 30, '3.00 GiB']
])('formatBytes(%j) = %j', (bytes, text) => {
  expect(formatBytes(bytes)).toBe(text)
})

test('escapeMarkdown neutralises table pipes, markup and HTML', () => {
  expect(escapeMarkdown('a|b *c* <d> & e\nf')).toBe('a\\|b \\*c\\* \\<d\\> &amp; e f')
})

test('release notes keep the author’s text and replace only the marked section', () => {
  const once = withSection('Notes.', results.slice(0, 1))
  expect(once).toMatch(
    /^Notes\.\n\n<!-- numbers-pin-action:start -->\n[\s\S]*a\.bin[\s\S]*<!-- numbers-pin-action:end -->$/
  )
  const twice = withSection(`${once}\n\nFooter.`, results.slice(3))
  expect(twice).not.toContain('a.bin')
  expect(twice).toContain('https://x/y')
  expect(twice.endsWith('\n\nFooter.')).toBe(true)
  expect(withSection('', results.slice(0, 1)).startsWith('<!-- numbers-pin-action:start -->')).toBe(true)
})
