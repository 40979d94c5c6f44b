/** The verify action's manifest reading and report, as pure functions: limits, order, escaping. */
import * as core from '@actions/core'
import { boundedResults, problemLines, renderVerifySummary, type NidResult } from '../../src/report/verify.js'
import { pinnedNidsOf } from '../../src/verify/manifests.js'

const V1 = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
const V0 = 'QmavP31Z3fRLMvPGTEoW75BF8BooaRrtCTy7YfwuxFLwDw'

const result = (i: number, status: NidResult['status']): NidResult => ({
  nid: `${V1}-${i}`,
  manifest: 'm.json',
  status,
  detail: status === 'verified' ? 'root block' : `problem ${i}`
})

describe('pinnedNidsOf', () => {
  test('pinned results and earlier pins, canonical CIDs, display text cut', () => {
    const { nids, skipped } = pinnedNidsOf(
      JSON.stringify({
        results: [
          { status: 'pinned', nid: V1, path: 'a'.repeat(2000), orderId: 'o1' },
          { status: 'already-pinned', nid: V0, url: 'https://x/y' },
          { status: 'nid-only', nid: V1 },
          { status: 'repinned', nid: V1, path: 'r' }
        ],
        earlierPins: [{ nid: V1 }]
      }),
      'm.json'
    )
    expect(skipped).toBeUndefined()
    expect(nids.map(n => n.nid)).toEqual([V1, V0, V1, V1])
    expect(nids[2].artifact).toBe('r')
    expect(nids[0].artifact).toHaveLength(512)
    expect(nids[0].orderId).toBe('o1')
    expect(nids[1].artifact).toBe('https://x/y')
  })

  test('entries that fail a check are counted with the first reason', () => {
    const { nids, skipped } = pinnedNidsOf(
      JSON.stringify({
        results: [
          { status: 'pinned', nid: 7 },
          { status: ['pinned'], nid: V1 },
          { status: 'pinned', nid: 'Qm' }
        ],
        earlierPins: [[], { nid: V1 }]
      }),
      'm.json'
    )
    expect(nids.map(n => n.nid)).toEqual([V1])
    expect(skipped).toEqual({ manifest: 'm.json', count: 4, firstReason: 'results[0]: nid is not a CID string' })
  })

  test('a file that is not a manifest throws, naming it', () => {
    expect(() => pinnedNidsOf('null', 'm.json')).toThrow(/^m\.json: is not a manifest .*not a JSON object/)
    expect(() => pinnedNidsOf('{"results": [], "earlierPins": {}}', 'm.json')).toThrow(/earlierPins is not an array/)
  })
})

describe('report', () => {
  const many = [
    ...Array.from({ length: 50 }, (_, i) => result(i, 'verified')),
    result(50, 'error'),
    result(51, 'missing'),
    result(52, 'corrupt')
  ]

  test('results: problems first, cut to the byte limit, and how many are shown', () => {
    const all = boundedResults(many)
    expect(all.shown).toBe(53)
    expect((JSON.parse(all.json) as NidResult[]).slice(0, 3).map(r => r.status)).toEqual([
      'corrupt',
      'missing',
      'error'
    ])
    const cut = boundedResults(many, 1000)
    expect(Buffer.byteLength(cut.json)).toBeLessThanOrEqual(1000)
    expect(JSON.parse(cut.json)).toHaveLength(cut.shown)
    expect(cut.shown).toBeLessThan(53)
  })

  test('problem lines: one per Nid not proven, none for the verified', () => {
    expect(problemLines(many)).toHaveLength(3)
    const problems = Array.from({ length: 25 }, (_, i) => result(i, 'missing'))
    expect(problemLines(problems)).toHaveLength(25)
  })

  test('summary: escaped text, cut to its byte limit with a line saying how many rows are left out', () => {
    core.summary.emptyBuffer()
    const hostile: NidResult = { ...result(0, 'missing'), artifact: '<script>|x', detail: '**[a](javascript:x)**' }
    renderVerifySummary(core.summary, [hostile, ...many], {
      gatewayUrl: 'https://gw/ipfs/',
      depth: 'block',
      reportPath: '/tmp/r.json'
    })
    const text = core.summary.stringify()
    expect(text).toContain('\\<script\\>\\|x')
    expect(text).toContain('\\*\\*\\[a\\]\\(javascript:x\\)\\*\\*')
    core.summary.emptyBuffer()
    renderVerifySummary(
      core.summary,
      many,
      { gatewayUrl: 'https://gw/ipfs/', depth: 'full', reportPath: '/tmp/r.json' },
      3000
    )
    const cut = core.summary.stringify()
    expect(Buffer.byteLength(cut)).toBeLessThan(3500)
    expect(cut).toMatch(/\d+ more Nids are not shown here; every result is in the report file \(\/tmp\/r\.json\)/)
    expect(cut.indexOf('❌ corrupt')).toBeLessThan(cut.indexOf('✅ verified'))
    core.summary.emptyBuffer()
  })
})
