/**
 * The job summary laid out by a real browser (headless Chromium, GitHub's Markdown CSS) at the width
 * of a job summary and at a narrow one: sizes, statuses, Nids and order IDs stay on one line; only
 * file names may wrap. Skipped, saying so, where Chromium is not installed (apt-get install chromium).
 */
import { cellLayout, findChromium } from '../../scripts/render-summary.mjs'
import { sampleRuns } from '../../scripts/summary-samples.mjs'
import { summaryMarkdown } from '../../src/report/summary.js'
import { digestOf } from '../helpers/results.js'

const chromium = findChromium()
if (!chromium) console.warn('summary-layout: skipped, Chromium is not installed (apt-get install -y chromium)')
const describeIf = chromium ? describe : describe.skip

describeIf('the summary in a browser (Chromium)', () => {
  const runs = sampleRuns()
  const cases = [
    ['pins', 1012],
    ['pins', 768],
    ['nid-only', 768]
  ] as const

  test('the measure sees wrapping: an order ID with plain hyphens and a size with a plain space do wrap', () => {
    const markdown = `| A | Order ID | Size |\n| --- | --- | ---: |\n| ${'a long name '.repeat(10)} | <code>0b7f6a2e-9c1d-4e5f-8a7b-6c5d4e3f2a1b</code> | 256.0 KiB |\n`
    const lines = cellLayout(markdown, 400).map(c => c.lines)
    expect(lines[1]).toBeGreaterThan(1)
    expect(lines[2]).toBeGreaterThan(1)
  })

  test.each(cases)('%s at %i px: no Size, Nid, Order ID or Status cell wraps', (name, width) => {
    const { results, pin } = runs[name]
    const cells = cellLayout(summaryMarkdown(digestOf(results), { pin, manifestPath: '/m.json' }), width)
    expect(cells.length).toBeGreaterThan(results.length)
    const wrapped = cells.filter(c => !c.column.startsWith('Artifact') && c.lines !== 1)
    expect(wrapped).toEqual([])
  })
})
