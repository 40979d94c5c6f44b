import { PinnedNids, hash52 } from '../../src/pipeline/pinned-nids.js'
import type { EntryResult } from '../../src/types.js'

const NIDS = [
  'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
  'QmPK1s3pNYLi9ERiq3BDxKa4XosgWwFRQUydHUtz4YgpqB'
]

function pinnedResult(nid: string): EntryResult {
  return {
    source: 'file',
    path: `dist/${nid}.bin`,
    size: 1,
    cidVersion: 1,
    status: 'pinned',
    nid,
    orderId: `order-${nid}`
  }
}

describe('PinnedNids', () => {
  test('finds the entry that pinned a Nid, by reading its result back', () => {
    const results = NIDS.map(pinnedResult)
    const reads: number[] = []
    const pinned = new PinnedNids(index => (reads.push(index), results[index]))
    NIDS.forEach((nid, index) => pinned.add(nid, index))
    expect(pinned.find(NIDS[1])).toEqual(results[1])
    expect(reads).toEqual([1])
    expect(pinned.find('bafkreiunknown')).toBeUndefined()
  })

  test('Nids whose hashes collide are all kept, and each finds its own entry', () => {
    const results = NIDS.map(pinnedResult)
    const pinned = new PinnedNids(
      index => results[index],
      () => 7
    )
    NIDS.forEach((nid, index) => pinned.add(nid, index))
    for (const [index, nid] of NIDS.entries()) expect(pinned.find(nid)).toEqual(results[index])
    // Same hash, another Nid: the results read back tell it was never pinned.
    expect(pinned.find('bafkreiother')).toBeUndefined()
  })

  test('hash52 is a whole number below 2^52 that tells nearby Nids apart', () => {
    const hashes = new Set<number>()
    for (let i = 0; i < 10_000; i++) {
      const hash = hash52(`bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aq${i}`)
      expect(Number.isSafeInteger(hash) && hash >= 0 && hash < 2 ** 52).toBe(true)
      hashes.add(hash)
    }
    expect(hashes.size).toBe(10_000)
  })
})
