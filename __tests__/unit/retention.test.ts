/**
 * Retention and the budget as plain values: which earlier pins are absent, the interlocks, unpin-max,
 * the ledger (paths carried forward, unpins recorded), the cost estimate and meter, the Unpin call.
 */
import { jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { startNumbersMock } from '../../__fixtures__/numbers-api.js'
import { budgetRefusal, checkBudget, CostMeter, estimateCost } from '../../src/budget.js'
import { Inputs } from '../../src/constants.js'
import { parseInputs } from '../../src/inputs/pin.js'
import { carryForward, readPreviousManifest, type Manifest } from '../../src/manifest.js'
import { parseManifest } from '../../src/manifest-schema.js'
import { NumbersClient } from '../../src/numbers/client.js'
import { retentionSection } from '../../src/report/retention.js'
import { absentPins, interlockHeld, retain, type RetentionOptions } from '../../src/retention.js'
import type { EntryResult, PinRecord } from '../../src/types.js'
import { outputsOf, writeWhole } from '../helpers/results.js'

const nid = (label: string): string =>
  CID.createV1(0x55, createDigest(0x12, createHash('sha256').update(label).digest())).toString()
const [A, B, C] = [nid('a'), nid('b'), nid('c')]
const previous = new Map<string, PinRecord>([
  [A, { orderId: 'oa', paths: ['dist/a.bin'] }],
  [B, { orderId: 'ob', paths: ['dist/b.bin', 'dist/b-copy.bin'] }],
  [C, { orderId: 'oc' }]
])
const entry = (n: string | undefined, status: EntryResult['status'] = 'already-pinned'): EntryResult => ({
  source: 'file',
  path: `p-${n}`,
  nid: n,
  cidVersion: 1,
  status,
  ...(status === 'failed' ? { error: 'boom' } : {})
})
const options = (extra: Partial<RetentionOptions> = {}): RetentionOptions => ({
  unpinAbsent: 'true',
  unpinMax: 100,
  cidVersion: 1,
  concurrency: 2,
  previous,
  results: [entry(A)],
  foundNothing: false,
  now: () => '2026-01-02T03:04:05.000Z',
  ...extra
})

describe('absent pins and the interlocks', () => {
  test('absent: earlier pins no entry holds, whatever its status or path', () => {
    expect(absentPins(previous, [A, undefined]).map(p => p.nid)).toEqual([B, C])
    expect(absentPins(previous, [A, B, C])).toEqual([])
    expect(absentPins(undefined, [])).toEqual([])
  })

  test('each interlock names itself; none holds for a clean run of the same CID version', () => {
    const clean = { failed: 0, foundNothing: false, cidVersion: 1 as const, previousCidVersion: 1 as const }
    expect(interlockHeld(clean)).toBeUndefined()
    expect(interlockHeld({ ...clean, failed: 2 })).toMatch(/nothing unpinned: this run had 2 failures/)
    expect(interlockHeld({ ...clean, foundNothing: true })).toMatch(/found no files.*broken glob/)
    expect(interlockHeld({ ...clean, previousCidVersion: 0 })).toMatch(/cid-version 0 .*cid-version 1/)
  })
})

describe('retain', () => {
  test('plan lists the absent pins with the saving, and calls nothing', async () => {
    const unpin = jest.fn(async () => undefined)
    const report = await retain(options({ unpinAbsent: 'plan', unpin }))
    expect(report.listed.map(p => p.nid)).toEqual([B, C])
    expect(report.unpinned).toEqual([])
    expect(report.monthlySaving).toBe(0.058)
    expect(unpin).not.toHaveBeenCalled()
  })

  test('true unpins each absent pin once and records when, its order and its paths; a failure stays', async () => {
    const unpin = jest.fn(async (n: string) => {
      if (n === C) throw new Error('Unpin Nid/Cid from IPFS answered HTTP 500')
    })
    const report = await retain(options({ unpin }))
    expect(unpin.mock.calls.map(([n]) => n).sort()).toEqual([B, C].sort())
    expect(report.unpinned).toEqual([
      { nid: B, orderId: 'ob', unpinnedAt: '2026-01-02T03:04:05.000Z', paths: ['dist/b.bin', 'dist/b-copy.bin'] }
    ])
    expect(report.failed).toEqual([
      expect.stringMatching(new RegExp(`^Unpin of ${C} failed: .*HTTP 500.*tried again next run`))
    ])
    expect(report.monthlySaving).toBe(0.029)
  })

  test.each<[string, Partial<RetentionOptions>]>([
    ['a failed entry', { results: [entry(A), entry(undefined, 'failed')] }],
    ['a shard that did not finish (merge)', { unfinished: 1 }],
    ['no files found', { foundNothing: true }],
    ['a previous manifest of another CID version', { previousCidVersion: 0 }]
  ])('held by %s: nothing is unpinned, and the report says why', async (_why, extra) => {
    const unpin = jest.fn(async () => undefined)
    const report = await retain(options({ ...extra, unpin }))
    expect(report.held).toMatch(/^unpin-absent: nothing unpinned/)
    expect([report.listed, report.unpinned, unpin.mock.calls]).toEqual([[], [], []])
  })

  test('more absent than unpin-max: nothing unpinned, with how to raise it; plan still lists them', async () => {
    const unpin = jest.fn(async () => undefined)
    const refused = await retain(options({ unpinMax: 1, unpin }))
    expect(refused.overLimit).toMatch(/2 earlier pins are absent .*more than unpin-max \(1\).*set unpin-max: 2/)
    expect([refused.unpinned, unpin.mock.calls]).toEqual([[], []])
    const plan = await retain(options({ unpinMax: 1, unpinAbsent: 'plan' }))
    expect([plan.overLimit !== undefined, plan.listed.length]).toEqual([true, 2])
  })

  test('false, or no previous manifest: nothing to do', async () => {
    expect((await retain(options({ unpinAbsent: 'false' }))).listed).toEqual([])
    expect((await retain(options({ previous: undefined }))).listed).toEqual([])
  })

  test('the summary section and the outputs list what was planned', async () => {
    const report = await retain(options({ unpinAbsent: 'plan' }))
    const section = retentionSection(report)
    expect(section).toContain('Unpin plan')
    expect(section).toContain('2 Nids would be unpinned · ~0.058 NUM per month')
    expect(section).toContain('dist/b.bin<br>dist/b-copy.bin')
    const outputs = outputsOf([], { manifest: 'm', checksums: 'c', unpinned: [B, C], monthlySaving: 0.058 })
    expect([JSON.parse(outputs.unpinned), outputs['unpinned-count'], outputs['monthly-saving']]).toEqual([
      [B, C],
      '2',
      '0.058'
    ])
  })
})

describe('the ledger', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'retention-'))
  })
  afterEach(() => fs.rm(dir, { recursive: true, force: true }))

  const manifest = (results: EntryResult[], extra: Partial<Manifest> = {}): Manifest => ({
    schema: 'numbers-pin-action/manifest@1',
    actionVersion: '1.0.0',
    cidVersion: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    complete: true,
    provenance: {
      repository: 'o/r',
      sha: 's',
      ref: 'r',
      workflow: 'w',
      runId: 1,
      runAttempt: 1,
      runUrl: '',
      event: 'push',
      actor: 'a'
    },
    results,
    earlierPins: [],
    ...extra
  })

  test('paths are carried forward with earlier pins, unpinned pins leave it, and it reads back', async () => {
    const earlierPins = carryForward(previous, [entry(A)], 1, new Set([C]))
    expect(earlierPins).toEqual([{ nid: B, cidVersion: 1, orderId: 'ob', paths: ['dist/b.bin', 'dist/b-copy.bin'] }])
    const file = path.join(dir, 'm.json')
    const unpinned = [{ nid: C, orderId: 'oc', unpinnedAt: '2026-01-01T00:00:00.000Z' }]
    await writeWhole(file, manifest([{ ...entry(A), path: 'dist/a.bin' }], { earlierPins, unpinned }))
    const written = JSON.parse(await fs.readFile(file, 'utf8'))
    expect(written.unpinned).toEqual(unpinned)
    expect(parseManifest(written).earlierPins).toEqual(earlierPins)
    const read = await readPreviousManifest(file, 1)
    expect(read?.cidVersion).toBe(1)
    expect(Object.fromEntries(read?.pins ?? [])).toEqual({
      [A]: { orderId: undefined, fileUrl: undefined, paths: ['dist/a.bin'] },
      [B]: { orderId: 'ob', fileUrl: undefined, paths: ['dist/b.bin', 'dist/b-copy.bin'] }
    })
  })

  test('an earlier pin with malformed paths is dropped and counted, like any malformed field', async () => {
    const file = path.join(dir, 'm.json')
    const bad = [
      { nid: A, cidVersion: 1, paths: ['ok', 'line\nbreak'] },
      { nid: B, cidVersion: 1, paths: 'x' }
    ]
    await fs.writeFile(file, JSON.stringify({ ...manifest([]), earlierPins: bad }))
    expect(await readPreviousManifest(file, 1)).toMatchObject({ dropped: 2 })
    expect(() => parseManifest({ ...manifest([]), earlierPins: bad })).toThrow(/earlierPins\[0\]\.paths\[1\]/)
  })
})

describe('the budget', () => {
  const files = [
    { path: 'a', nid: A },
    { path: 'a-copy', nid: A },
    { path: 'b', nid: B },
    { path: 'new', nid: nid('new') },
    { path: 'unreadable' }
  ]
  const shape = { pin: true, nidSource: 'local' as const, files, urls: [], previous: new Map([[B, {}]]), unpins: 0 }

  test('new pins: distinct content the previous manifest does not list; calls: Get Nid and Unpin', () => {
    expect(estimateCost(shape)).toMatchObject({
      counted: ['a', 'new', 'unreadable'],
      newPins: 3,
      monthly: 0.087,
      calls: 0
    })
    const api = estimateCost({ ...shape, nidSource: 'api', urls: ['https://x/u'], unpins: 2 })
    expect(api).toMatchObject({ newPins: 4, calls: 5 + 1 + 2, oneOff: 0.08, total: 0.196 })
    expect(estimateCost({ ...shape, pin: false })).toMatchObject({ newPins: 0, total: 0 })
  })

  test('over the budget: refused, naming both numbers and the files counted; within it: nothing', () => {
    const estimate = estimateCost(shape)
    expect(() => checkBudget(estimate, 0.05)).toThrow(
      /Input 'max-monthly-cost': this run would cost ~0\.087 NUM .*more than the budget of 0\.05 NUM; counted as new pins: a, new, unreadable\. Nothing was sent/
    )
    expect(budgetRefusal(estimate, 0.087)).toBeUndefined()
    expect(budgetRefusal(estimate, undefined)).toBeUndefined()
  })

  test('the meter refuses a paid call that would pass the budget, and counts what was sent', () => {
    const meter = new CostMeter(0.04)
    meter.charge('pin', 'a')
    meter.charge('call', 'b')
    expect(() => meter.charge('call', 'c')).toThrow(
      /c: not sent: .*past max-monthly-cost \(0\.04 NUM; 0\.039 NUM spent\)/
    )
    expect(meter.spent()).toMatchObject({ newPins: 1, calls: 1, total: 0.039 })
  })
})

describe('inputs', () => {
  const env = { workspace: '/w', runnerTemp: '/t' }
  const read =
    (values: Record<string, string>) =>
    (name: Inputs): string =>
      ({ path: 'dist/**', 'capture-token': 't', ...values })[name as string] ?? ''

  test('a sharded run may not unpin or plan: it points to the merge step', () => {
    for (const mode of ['plan', 'true'])
      expect(() => parseInputs(read({ shard: '1/2', 'unpin-absent': mode }), env)).toThrow(
        /Input 'unpin-absent': .*shard 1\/2.*set it on the merge step/
      )
    expect(parseInputs(read({ shard: '1/2', 'unpin-absent': 'false' }), env).unpinAbsent).toBe('false')
  })

  test('values are checked: the mode, unpin-max, the URL, the budget; true needs the token', () => {
    expect(() => parseInputs(read({ 'unpin-absent': 'yes' }), env)).toThrow(/'yes' is not one of false, plan, true/)
    expect(() => parseInputs(read({ 'unpin-max': '0' }), env)).toThrow(/unpin-max/)
    expect(() => parseInputs(read({ 'max-monthly-cost': '1,5' }), env)).toThrow(/'1,5' is not a number of NUM/)
    expect(parseInputs(read({ 'max-monthly-cost': '1.5', 'unpin-max': '7' }), env)).toMatchObject({
      maxMonthlyCost: 1.5,
      unpinMax: 7
    })
    const quiet = { pin: 'false', 'capture-token': '', 'unpin-absent': 'true' }
    expect(() => parseInputs(read(quiet), env)).toThrow(/capture-token.*unpin-absent: true calls the Numbers Unpin API/)
    expect(parseInputs(read({ ...quiet, 'unpin-absent': 'plan' }), env).captureToken).toBe('')
  })
})

describe('the Unpin call', () => {
  test('POSTs {"nid"} with the token; a 200 {"result": true} is done, anything else names the status or shape', async () => {
    const mock = await startNumbersMock({ token: 'tok' })
    const client = new NumbersClient({
      token: 'tok',
      nidApiUrl: mock.urls.nid,
      pinApiUrl: mock.urls.pin,
      unpinApiUrl: mock.urls.unpin,
      retries: 1,
      timeoutSeconds: 10,
      userAgent: 'test',
      backoffBaseMs: 1
    })
    try {
      await client.unpin(A)
      expect(mock.nidRequests).toMatchObject([{ endpoint: 'unpin', nid: A, authorized: true, status: 200 }])
      mock.script({ endpoint: 'unpin', nid: B }, { status: 500 }, { status: 500 })
      await expect(client.unpin(B)).rejects.toThrow(/Unpin Nid\/Cid from IPFS answered HTTP 500 to all 2 attempts/)
      mock.script({ endpoint: 'unpin', nid: C }, { status: 200, body: { result: false } })
      await expect(client.unpin(C)).rejects.toThrow(
        /answered HTTP 200 without "result": true \(got \{"result":false\}\)/
      )
      mock.script({ endpoint: 'unpin', nid: C }, { status: 403 })
      await expect(client.unpin(C)).rejects.toThrow(/HTTP 403/)
    } finally {
      await client.close()
      await mock.close()
    }
  })
})
