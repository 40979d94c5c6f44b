import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Outputs, PIN_MONTHLY_COST_NUM } from '../../src/constants.js'
import { attestLimitWarning, writeChecksums } from '../../src/report/checksums.js'
import {
  bounded,
  escapeMarkdown,
  formatBytes,
  formatBytesApart,
  formatCount,
  isPlainId,
  shortId,
  unmention
} from '../../src/report/format.js'
import { outputsUtf16Bytes, shareOut } from '../../src/report/outputs.js'
import { digestOf, outputsOf } from '../helpers/results.js'
import { totalsLine } from '../../src/report/summary.js'
import type { Totals } from '../../src/report/totals.js'
import type { EntryResult } from '../../src/types.js'

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
    const outputs = outputsOf(all, files)
    expect(Object.keys(outputs).sort()).toEqual(Object.values(Outputs).sort())
    for (const value of Object.values(outputs)) expect(typeof value).toBe('string')
  })

  test('results is the whole list as parsable JSON', () => {
    expect(JSON.parse(outputsOf(all, files).results)).toEqual(all)
  })

  test('nids: only entries that succeeded (pinned, already pinned, Nid only), in order, duplicates kept', () => {
    expect(JSON.parse(outputsOf(all, files).nids)).toEqual(['bafy-a', 'bafy-a', 'bafy-y', 'bafy-d'])
  })

  test('order-ids: only the pins created now (status pinned), not orders of already-pinned entries', () => {
    expect(JSON.parse(outputsOf(all, files)['order-ids'])).toEqual(['o1', 'o2'])
    expect(JSON.parse(outputsOf([again], files)['order-ids'])).toEqual([])
  })

  test('counts: entries, pinned (now or already), failed', () => {
    const outputs = outputsOf(all, files)
    expect([outputs.count, outputs['pinned-count'], outputs['failed-count']]).toEqual(['6', '3', '2'])
  })

  test('a re-pin (verify-previous) is a new order: in order-ids, pinned-count and the cost, not in already pinned', () => {
    const repinned: EntryResult = { ...pinned, path: 'r.bin', nid: 'bafy-r', status: 'repinned', orderId: 'o-new' }
    const outputs = outputsOf([repinned, again, failedWithNid], files)
    expect(JSON.parse(outputs['order-ids'])).toEqual(['o-new'])
    expect(JSON.parse(outputs.nids)).toEqual(['bafy-r', 'bafy-a'])
    expect([outputs['pinned-count'], outputs['failed-count']]).toEqual(['2', '1'])
    expect(outputsOf([repinned], files)['order-id']).toBe('o-new')
    expect(digestOf([repinned, pinned, again]).totals).toMatchObject({
      pinned: 1,
      repinned: 1,
      alreadyPinned: 1,
      estimatedMonthlyCost: 0.058
    })
    expect(totalsLine(digestOf([repinned, pinned, again]).totals, true)).toMatch(
      /^3 entries · 1 pinned now · 1 re-pinned \(missing at the gateway\) · 1 already pinned · 0 failed — estimated cost of new pins: ~0\.058 NUM/
    )
  })

  test('manifest and checksums are the paths given', () => {
    const outputs = outputsOf(all, files)
    expect([outputs.manifest, outputs.checksums]).toEqual(['/tmp/m.json', '/tmp/c.txt'])
  })

  test('nid and order-id are empty with more than one entry', () => {
    const outputs = outputsOf([pinned, urlPinned], files)
    expect([outputs.nid, outputs['order-id']]).toEqual(['', ''])
  })

  test.each<[string, EntryResult, string, string]>([
    ['pinned', pinned, 'bafy-a', 'o1'],
    ['already pinned', again, 'bafy-a', 'o1'],
    ['Nid only', nidOnly, 'bafy-d', ''],
    ['failed (even with a Nid)', failedWithNid, '', ''],
    ['failed without a Nid', urlFailed, '', '']
  ])('with exactly one entry, %s: nid %j, order-id %j', (_name, entry, nid, orderId) => {
    const outputs = outputsOf([entry], files)
    expect([outputs.nid, outputs['order-id']]).toEqual([nid, orderId])
  })

  test('no entries at all', () => {
    const outputs = outputsOf([], files)
    expect(outputs).toEqual({
      results: '[]',
      nids: '[]',
      'order-ids': '[]',
      'results-count': '0',
      truncated: 'false',
      nid: '',
      'order-id': '',
      count: '0',
      'pinned-count': '0',
      'failed-count': '0',
      manifest: '/tmp/m.json',
      checksums: '/tmp/c.txt',
      unpinned: '[]',
      'unpinned-count': '0',
      'monthly-saving': '0'
    })
  })

  test('everything fits: results in order, whole, and not truncated', () => {
    const outputs = outputsOf(all, files)
    expect([outputs['results-count'], outputs.truncated]).toEqual(['6', 'false'])
  })

  test('results that do not fit keep the failures first, then the others in order, as many as fit', () => {
    const whole = outputsUtf16Bytes(outputsOf(all, files))
    // Room for all but about one entry.
    const outputs = outputsOf(all, files, whole - 300)
    expect(outputs.truncated).toBe('true')
    const kept = JSON.parse(outputs.results) as EntryResult[]
    expect(outputs['results-count']).toBe(String(kept.length))
    expect(kept.length).toBeLessThan(all.length)
    expect(kept.slice(0, 2)).toEqual([failedWithNid, urlFailed])
    expect(kept.slice(2)).toEqual([pinned, again, urlPinned, nidOnly].slice(0, kept.length - 2))
    expect(outputsUtf16Bytes(outputs)).toBeLessThanOrEqual(whole - 300)
    expect(outputs.count).toBe('6')
  })

  test('100,000 entries: every output together stays within the budget, as GitHub counts it', () => {
    const many = Array.from({ length: 100_000 }, (_, i): EntryResult => ({
      ...(i % 1000 === 7 ? failedWithNid : pinned),
      path: `dist/ünïcode-${i}.bin`,
      orderId: `order-${i}`,
      nid: `bafy${i}`
    }))
    const outputs = outputsOf(many, files)
    expect(outputsUtf16Bytes(outputs)).toBeLessThanOrEqual(900_000)
    expect(outputs.truncated).toBe('true')
    expect(outputs.count).toBe('100000')
    const kept = JSON.parse(outputs.results) as EntryResult[]
    expect(outputs['results-count']).toBe(String(kept.length))
    expect(kept.slice(0, 100).every(r => r.status === 'failed')).toBe(true)
    expect(kept[100].path).toBe('dist/ünïcode-0.bin')
    // The lists are prefixes of the whole lists, and share the room: none is starved.
    const nids = JSON.parse(outputs.nids) as string[]
    const orders = JSON.parse(outputs['order-ids']) as string[]
    expect(nids.slice(0, 3)).toEqual(['bafy0', 'bafy1', 'bafy2'])
    expect(orders.slice(0, 3)).toEqual(['order-0', 'order-1', 'order-2'])
    for (const list of [kept, nids, orders]) expect(list.length).toBeGreaterThan(500)
  })

  test('a run of 500 pinned files with long names is not cut', () => {
    const many = Array.from({ length: 500 }, (_, i): EntryResult => ({
      ...pinned,
      path: `dist/some-fairly-long-folder-name/artifact-${i}-linux-x64.tar.gz`,
      sha256: 'a'.repeat(64),
      nid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
      orderId: '0b7f6a2e-9c1d-4e5f-8a7b-6c5d4e3f2a1b',
      fileUrl: `${GW}bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4`,
      gatewayUrl: `${GW}bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4`
    }))
    expect(outputsOf(many, files).truncated).toBe('false')
  })

  test('awkward strings survive the JSON outputs', () => {
    const odd: EntryResult = { ...pinned, path: 'a "quoted"\n\\path</script>.bin' }
    expect(JSON.parse(outputsOf([odd], files).results)[0].path).toBe(odd.path)
  })
})

describe('shareOut', () => {
  test.each<[number, number[], number[], number[]]>([
    [100, [10, 10, 10], [2, 1, 1], [10, 10, 10]],
    [100, [1000, 1000, 1000], [2, 1, 1], [50, 25, 25]],
    [100, [1000, 5, 1000], [2, 1, 1], [63, 5, 31]],
    [100, [10, 1000, 1000], [2, 1, 1], [10, 45, 45]],
    [0, [10, 10, 10], [2, 1, 1], [0, 0, 0]],
    [-5, [10], [1], [0]]
  ])('shareOut(%j, %j, %j) = %j: what one output leaves goes to the others', (budget, needs, weights, shares) => {
    expect(shareOut(budget, needs, weights)).toEqual(shares)
  })
})

describe('totals', () => {
  test('the digest counts each status', () => {
    expect(digestOf(all).totals).toEqual({
      count: 6,
      pinned: 2,
      repinned: 0,
      alreadyPinned: 1,
      nidOnly: 1,
      failed: 2,
      estimatedMonthlyCost: 0.058
    })
    expect(digestOf([]).totals).toEqual({
      count: 0,
      pinned: 0,
      repinned: 0,
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
    expect(digestOf(results).totals.estimatedMonthlyCost).toBe(cost)
    expect(digestOf(results).totals.estimatedMonthlyCost).toBeCloseTo(count * PIN_MONTHLY_COST_NUM, 10)
  })

  test('already-pinned, Nid-only and failed entries cost nothing new', () => {
    expect(digestOf([again, nidOnly, failedWithNid]).totals.estimatedMonthlyCost).toBe(0)
  })

  const totals = (parts: Partial<Totals>): Totals => ({
    count: 0,
    pinned: 0,
    repinned: 0,
    alreadyPinned: 0,
    nidOnly: 0,
    failed: 0,
    estimatedMonthlyCost: 0,
    ...parts
  })

  test('totalsLine spells the counts and labels the cost as an estimate', () => {
    expect(totalsLine(digestOf(all).totals, true)).toBe(
      '6 entries · 2 pinned now · 1 already pinned · 1 Nid only · 2 failed — estimated cost of new pins: ~0.058 NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)'
    )
  })

  test('totalsLine: one entry is singular; no Nid-only part when there are none', () => {
    expect(totalsLine(totals({ count: 1, pinned: 1, estimatedMonthlyCost: 0.029 }), true)).toBe(
      '1 entry · 1 pinned now · 0 already pinned · 0 failed — estimated cost of new pins: ~0.029 NUM per month (estimate: 0.025 NUM + about 0.004 NUM gas per file per month)'
    )
  })

  test('totalsLine with nothing pinned costs ~0', () => {
    expect(totalsLine(totals({ count: 2, nidOnly: 2 }), true)).toMatch(
      /^2 entries · 0 pinned now · 0 already pinned · 2 Nid only · 0 failed — estimated cost of new pins: ~0 NUM per month/
    )
  })

  test('totalsLine with pin: false has no cost and says nothing was pinned', () => {
    expect(totalsLine(totals({ count: 12_345, nidOnly: 12_340, failed: 5 }), false)).toBe(
      '12,345 entries · 12,340 Nids computed · 5 failed — `pin: false`: nothing was pinned'
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

  test('@name and #123 mention no one and link no issue (a zero-width space after the sign)', () => {
    expect(escapeMarkdown('@octocat #12 a@b.c')).toBe('@\u200boctocat \\#\u200b12 a@\u200bb.c')
    expect(unmention('@ # x')).toBe('@ # x')
  })
})

describe('formatting helpers', () => {
  test('formatCount groups thousands', () => {
    expect([0, 999, 1000, 262_144, 1_234_567].map(formatCount)).toEqual(['0', '999', '1,000', '262,144', '1,234,567'])
  })

  test.each<[number, number, [string, string]]>([
    [26_214_401, 26_214_400, ['26,214,401 bytes', '26,214,400 bytes']],
    [30 * 2 ** 20, 25 * 2 ** 20, ['30.0 MiB', '25.0 MiB']],
    [12, 10, ['12 B', '10 B']]
  ])('formatBytesApart(%j, %j): bytes only when rounding would make them read the same', (a, b, shown) => {
    expect(formatBytesApart(a, b)).toEqual(shown)
  })

  test('bounded cuts long server strings with an ellipsis, never inside a surrogate pair', () => {
    expect(bounded('short', 10)).toBe('short')
    expect(bounded('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`)
    expect(bounded('abcdefgh😀xyz', 10)).toBe('abcdefgh…')
    expect(bounded('a'.repeat(1e6), 400)).toHaveLength(400)
  })

  test('shortId keeps the start and the end of long ids', () => {
    expect(shortId('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')).toBe('bafkrei…vei4')
    expect(shortId('bafy-a')).toBe('bafy-a')
  })

  test('isPlainId accepts CIDs and refuses anything that could break out of a URL or attribute', () => {
    expect(isPlainId('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(true)
    for (const hostile of ['a b', 'a"b', 'a)b', 'a<b', '', 'x'.repeat(200)]) expect(isPlainId(hostile)).toBe(false)
  })
})

describe('writeChecksums', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-checksums-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })
  const written = async (results: EntryResult[]): Promise<[string, { count: number; bytes: number }]> => {
    const file = path.join(dir, 'checksums.txt')
    const counted = await writeChecksums(file, results)
    return [await fs.readFile(file, 'utf8'), counted]
  }

  test('lists processed files (not URLs) in sha256sum format, two spaces, one per line', async () => {
    expect(await written(all)).toEqual(['aa  a.bin\nbb  b.bin\ncc  c.bin\ndd  d.bin\n', { count: 4, bytes: 40 }])
  })

  test('entries without a sha256 are left out; nothing gives an empty file', async () => {
    expect(await written([{ source: 'file', path: 'gone.bin', cidVersion: 1, status: 'failed' }])).toEqual([
      '',
      { count: 0, bytes: 0 }
    ])
  })

  test('a file of several MiB is written whole, in pieces; bytes are UTF-8 bytes', async () => {
    const many = Array.from({ length: 40_000 }, (_, i): EntryResult => ({
      ...nidOnly,
      sha256: 'f'.repeat(64),
      path: `é/${i}`
    }))
    const [text, counted] = await written(many)
    expect(counted.count).toBe(40_000)
    expect(counted.bytes).toBe(Buffer.byteLength(text))
    expect(text.split('\n')).toHaveLength(40_001)
    expect(text.endsWith(`${'f'.repeat(64)}  é/39999\n`)).toBe(true)
  })
})

describe('attestLimitWarning', () => {
  test.each([
    [1024, 512 * 1024, false],
    [1025, 1000, true],
    [10, 512 * 1024 + 1, true]
  ])('%i files, %i bytes: warns %j', (count, bytes, warns) => {
    expect(attestLimitWarning(count, bytes, '/t/m.json') !== undefined).toBe(warns)
  })

  test('names the numbers and the way that scales: the manifest as the subject', () => {
    expect(attestLimitWarning(20_000, 1_900_000, '/t/m.json')).toBe(
      "The checksums file lists 20,000 files (1.81 MiB): actions/attest takes at most 1,024 subjects and a subject-checksums file of at most 512.0 KiB. Attest the manifest instead (subject-path: /t/m.json, the manifest output): it holds every file's sha256 and Nid"
    )
  })
})
