import { marked } from 'marked'
import { summaryMarkdown } from '../../src/report/summary.js'
import type { EntryResult } from '../../src/types.js'
import { digestOf } from '../helpers/results.js'

const GATEWAY = 'https://ipfs-pin.numbersprotocol.io/ipfs/'
const results: EntryResult[] = [
  {
    source: 'file',
    path: 'dist/app|v1 <beta>.tar.gz',
    size: 2048,
    sha256: 'a'.repeat(64),
    nid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    cidVersion: 1,
    status: 'pinned',
    orderId: 'order-1',
    fileUrl: `${GATEWAY}bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4`,
    gatewayUrl: `${GATEWAY}bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4`
  },
  {
    source: 'file',
    path: 'dist/*star*_under_.txt',
    size: 0,
    nid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
    cidVersion: 1,
    status: 'already-pinned',
    orderId: 'order-0',
    gatewayUrl: `${GATEWAY}bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku`
  },
  {
    source: 'url',
    url: 'https://example.com/file.bin',
    cidVersion: 1,
    status: 'failed',
    error: 'https://example.com/file.bin: Pin file to IPFS answered HTTP 500'
  }
]

/** Cell texts of each table row, tags stripped and entities decoded, as a reader sees them. */
function tableRows(html: string): string[][] {
  const text = (cell: string): string =>
    cell
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\u00a0/g, ' ')
      .replace(/\u2060/g, '')
      .trim()
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(row =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(cell => text(cell[1]))
  )
}

describe('job summary rendered as GitHub Flavored Markdown', () => {
  const markdown = summaryMarkdown(digestOf(results), { pin: true, manifestPath: '/runner/temp/numbers-manifest.json' })
  const html = marked.parse(markdown, { gfm: true, async: false })

  it('renders one table with a header and one row per entry', () => {
    expect(html.match(/<table>/g)).toHaveLength(1)
    const rows = tableRows(html)
    expect(rows[0]).toEqual(['Artifact', 'Size', 'Nid (gateway link)', 'Order ID', 'Status'])
    expect(rows.slice(1).map(r => r[0])).toEqual([
      'dist/app|v1 <beta>.tar.gz',
      'dist/*star*_under_.txt',
      'https://example.com/file.bin'
    ])
    expect(rows.slice(1).map(r => r.length)).toEqual([5, 5, 5])
    expect(rows[1]).toEqual([
      'dist/app|v1 <beta>.tar.gz',
      '2.00 KiB',
      'bafkrei…vei4',
      'order‑1',
      expect.stringContaining('pinned')
    ])
    expect(rows[3][2]).toBe('—')
  })

  it('links each short Nid to the gateway, the full Nid in its title', () => {
    const links = [...html.matchAll(/<a href="([^"]+)"><code title="([^"]+)">[^<]+<\/code><\/a>/g)].map(m => [
      m[1],
      m[2]
    ])
    expect(links).toEqual([
      [results[0].gatewayUrl, results[0].nid],
      [results[1].gatewayUrl, results[1].nid]
    ])
  })

  it('folds the full Nids into a block to copy', () => {
    expect(html).toMatch(/<details><summary>Full Nids and order IDs, to copy<\/summary>/)
    const block = /<pre>\n([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? ''
    expect(block.split('\n').filter(Boolean)).toEqual([
      `${results[0].nid}  order-1  dist/app|v1 &lt;beta&gt;.tar.gz`,
      `${results[1].nid}  order-0  dist/*star*_under_.txt`
    ])
  })

  it('shows the exact bytes in a title where a size is rounded', () => {
    expect(html).toContain('<span title="2,048 bytes">2.00\u00a0KiB</span>')
  })

  it('shows the totals and each failure with its reason', () => {
    expect(html).toContain('<h2>Numbers Protocol: IPFS Nids and pins</h2>')
    expect(html).toMatch(
      /<p>3 entries · 1 pinned now · 1 already pinned · 1 failed — estimated cost of new pins: ~0\.029 NUM per month \(estimate/
    )
    expect(html).toContain('<h3>Failures</h3>')
    const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(m => m[1].replace(/<[^>]+>/g, ''))
    expect(items).toEqual(['https://example.com/file.bin: Pin file to IPFS answered HTTP 500'])
  })

  it('lets no file name inject markup', () => {
    expect(html).not.toContain('<beta>')
    expect(html).not.toMatch(/<em>|<strong>/)
  })
})
