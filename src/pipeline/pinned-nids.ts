import type { EntryResult } from '../types.js'

/**
 * The entries of a run that pinned each Nid, so a duplicate shares the pin instead of paying again.
 * A Nid string and its Map entry took ~180 bytes a pin (100,000 pins: 18 MB); here a pin is a
 * number keyed by a 52-bit hash of its Nid. The entry's own result, read back, confirms the Nid: a
 * hash collision costs a read, never a wrong answer, and colliding Nids are all kept.
 */
export class PinnedNids {
  private readonly byHash = new Map<number, number | number[]>()

  /** `recall` reads back the result of an entry that has settled. */
  constructor(
    private readonly recall: (index: number) => EntryResult,
    private readonly hash: (nid: string) => number = hash52
  ) {}

  /** Entry `index` settled having pinned `nid`. */
  add(nid: string, index: number): void {
    const key = this.hash(nid)
    const known = this.byHash.get(key)
    if (known === undefined) this.byHash.set(key, index)
    else this.byHash.set(key, [...[known].flat(), index])
  }

  /** The result of the entry that pinned `nid`, if one did. */
  find(nid: string): EntryResult | undefined {
    const known = this.byHash.get(this.hash(nid))
    if (known === undefined) return undefined
    for (const index of [known].flat()) {
      const result = this.recall(index)
      if (result.nid === nid) return result
    }
    return undefined
  }
}

/** Two FNV-1a hashes of the text (32 and 20 bits): a number below 2^52, exact as a double. */
export function hash52(text: string): number {
  let high = 0x811c9dc5
  let low = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    high = Math.imul(high ^ code, 0x01000193)
    low = Math.imul(low ^ code, 0x5bd1e995)
  }
  return (high >>> 0) * 2 ** 20 + ((low >>> 0) & 0xfffff)
}
