import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FileError } from '../../src/errors.js'
import { ResultSpool, resultSetOf } from '../../src/result-spool.js'
import type { EntryResult } from '../../src/types.js'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spool-test-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const result = (i: number, extra: Partial<EntryResult> = {}): EntryResult => ({
  source: 'file',
  path: `site/${i}.html`,
  size: i,
  cidVersion: 1,
  status: 'nid-only',
  nid: `bafk${i}`,
  ...extra
})

describe('ResultSpool', () => {
  test('results added in any order are walked in entry order, each with its JSON text, as often as asked', () => {
    const spool = new ResultSpool(dir, 5)
    for (const i of [3, 0, 4, 1, 2]) spool.add(i, result(i))
    expect(spool.size).toBe(5)
    for (let walk = 0; walk < 2; walk++) {
      const walked = [...spool]
      expect(walked.map(w => w.result)).toEqual([0, 1, 2, 3, 4].map(i => result(i)))
      expect(walked.map(w => w.json)).toEqual([0, 1, 2, 3, 4].map(i => JSON.stringify(result(i))))
    }
    expect([...spool.lines()]).toEqual([0, 1, 2, 3, 4].map(i => JSON.stringify(result(i))))
    spool.dispose()
  })

  test('entries that never settled (a cancelled run) are left out; an entry settles once', () => {
    const spool = new ResultSpool(dir, 4)
    spool.add(2, result(2))
    spool.add(0, result(0))
    expect(spool.size).toBe(2)
    expect([...spool].map(w => w.result.size)).toEqual([0, 2])
    expect(() => spool.add(2, result(2))).toThrow(/settled twice/)
    spool.dispose()
  })

  test('20,000 results, some far out of order, some larger than the read window, non-ASCII names', () => {
    const n = 20_000
    const spool = new ResultSpool(dir, n)
    const big = (i: number) => (i % 5000 === 7 ? { error: `${'é'.repeat(200_000)} ${i}` } : {})
    const order = Array.from({ length: n }, (_, i) => i)
    // The first entry settles last, as a slow pin would.
    order.push(order.shift()!)
    for (const i of order) spool.add(i, result(i, { path: `ü/${i}`, ...big(i) }))
    let i = 0
    for (const { result: r } of spool) expect(r).toEqual(result(i, { path: `ü/${i}`, ...big(i++) }))
    expect(i).toBe(n)
    spool.dispose()
  })

  test('get reads one settled result back, whether still buffered or written; an unsettled one is a bug', () => {
    const spool = new ResultSpool(dir, 3000)
    for (let i = 2999; i >= 1; i--) spool.add(i, result(i, { path: `ü/${i}` }))
    expect(spool.get(2999)).toEqual(result(2999, { path: 'ü/2999' }))
    expect(spool.get(1)).toEqual(result(1, { path: 'ü/1' }))
    expect(() => spool.get(0)).toThrow(/has not settled/)
    spool.dispose()
  })

  test('a temp folder that cannot hold the spool is a FileError naming it and what to change', () => {
    const missing = path.join(dir, 'missing')
    expect(() => new ResultSpool(missing, 1)).toThrow(FileError)
    expect(() => new ResultSpool(missing, 1)).toThrow(
      `${missing}: the run's results are kept here as they settle, but a folder cannot be made in it (ENOENT); run on a runner whose RUNNER_TEMP is a writable folder`
    )
  })

  test('dispose removes the spool, once, however often it is called', async () => {
    const spool = new ResultSpool(dir, 1)
    spool.add(0, result(0))
    expect(await fs.readdir(dir)).toHaveLength(1)
    spool.dispose()
    spool.dispose()
    expect(await fs.readdir(dir)).toEqual([])
  })
})

describe('resultSetOf', () => {
  test('walks results in memory the same way', () => {
    const set = resultSetOf([result(0), result(1)])
    expect(set.size).toBe(2)
    expect([...set].map(w => w.json)).toEqual([...set.lines()])
    expect([...set].map(w => w.result)).toEqual([result(0), result(1)])
  })
})
