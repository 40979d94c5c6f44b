/**
 * Proves a whole DAG from a streamed CAR (a trustless gateway's `application/vnd.ipld.car`): every
 * block hashes to its CID, and every block the root reaches arrived. Blocks are hashed and dropped
 * as they stream, so memory stays flat whatever the file's size.
 *
 * Order. With `order=dfs; dups=y` declared by the gateway, a parent always comes before its
 * children and a block is sent again each time it is linked, so only the set of CIDs still expected
 * (linked, not yet arrived) is kept. A block that arrives while nobody expects it (a child before its
 * parent, a repeat) is hashed — a wrong block is corrupt wherever it stands — but proves nothing and
 * its links are not followed: if its parent comes later and it does not come again, it is missing.
 * Any other order (`order=unk`, `dups=n`, or nothing declared) is still proven, by also keeping the
 * CIDs of the blocks that arrived (CIDs only, never blocks): a child before its parent then counts
 * once the parent links it. Either way a verified Nid means: the root and every block below it
 * arrived, each hashing to its CID.
 */
import { CarBlockIterator } from '@ipld/car/iterator'
import type { CID } from 'multiformats/cid'
import { messageOf } from '../errors.js'
import { hashesTo, linksOf, MAX_BLOCK_BYTES, unsupported } from './blocks.js'
import { verdict, type Verdict } from './verdict.js'

/**
 * Bytes the decoder may pull between two blocks: the largest block, its CID and framing, and one
 * network read of slack. More means a section no Nid has, which the decoder would buffer whole.
 */
const MAX_PULL_BETWEEN_BLOCKS = MAX_BLOCK_BYTES + 2 ** 20

/** CIDs tracked at most (expected plus arrived): a DAG of a 256 GiB file; beyond, a hostile one. */
const MAX_TRACKED_CIDS = 2 ** 20

export interface CarOrder {
  /** The gateway declared `order=dfs` and `dups=y`: parents first, repeats sent again. */
  parentFirstWithDups: boolean
}

/** The response body, cut off once the decoder pulls more than MAX_PULL_BETWEEN_BLOCKS between two blocks. */
class BoundedBody {
  private pulled = 0
  oversized = false
  /** The body's own failure (a dropped connection, a timeout): for the retry loop, not a verdict. */
  transport: { error: unknown } | undefined

  constructor(private readonly body: AsyncIterable<Uint8Array>) {}

  /** A block was decoded: the count of bytes between blocks starts again. */
  blockDecoded(): void {
    this.pulled = 0
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of this.body) {
        this.pulled += chunk.length
        if (this.pulled > MAX_PULL_BETWEEN_BLOCKS) {
          this.oversized = true
          throw new Error('oversized section')
        }
        yield chunk
      }
    } catch (error) {
      if (!this.oversized) this.transport = { error }
      throw error
    }
  }
}

/** The walk of the DAG from its root: the CIDs still expected, those arrived (any order), and the totals. */
class DagWalk {
  private readonly expected: Set<string>
  private readonly arrived: Set<string> | undefined
  blocks = 0
  private bytes = 0

  constructor(root: CID, order: CarOrder) {
    this.expected = new Set([root.toString()])
    this.arrived = order.parentFirstWithDups ? undefined : new Set<string>()
  }

  /** One block of the CAR: a verdict when it settles the Nid (corrupt, or too large a DAG), else undefined. */
  take(block: { cid: CID; bytes: Uint8Array }): Verdict | undefined {
    const { expected, arrived } = this
    const key = block.cid.toString()
    const counts = arrived ? !arrived.has(key) : expected.has(key)
    const why = unsupported(block.cid)
    if (why) {
      // A block of some other kind that nothing here links to is ignored, as the spec asks.
      if (!expected.has(key)) return undefined
      return verdict('corrupt', `block ${key} in the CAR: ${why}`)
    }
    if (block.bytes.length > MAX_BLOCK_BYTES || !hashesTo(block.cid, block.bytes)) {
      return verdict('corrupt', `block ${key} in the CAR does not hash to its CID: the gateway sent wrong bytes`)
    }
    if (!counts) return undefined
    let links: CID[]
    try {
      links = linksOf(block.cid, block.bytes)
    } catch {
      return verdict('corrupt', `block ${key} in the CAR is not valid dag-pb`)
    }
    arrived?.add(key)
    expected.delete(key)
    this.blocks++
    this.bytes += block.bytes.length
    for (const link of links) {
      const linked = link.toString()
      if (!arrived?.has(linked)) expected.add(linked)
    }
    if (expected.size + (arrived?.size ?? 0) > MAX_TRACKED_CIDS) {
      return verdict('error', `the DAG in the CAR has over ${MAX_TRACKED_CIDS} blocks; it is not a file's Nid`)
    }
    return undefined
  }

  /** The verdict once the CAR has ended cleanly: verified when nothing linked is still expected. */
  end(): Verdict {
    const { expected, arrived } = this
    if (expected.size > 0) {
      const first = expected.values().next().value
      const note = arrived
        ? ''
        : ' (a block sent before the block linking to it does not count under order=dfs, dups=y)'
      return verdict(
        'missing',
        `the CAR ends without ${expected.size} linked block${expected.size === 1 ? '' : 's'} (first: ${first})${note}; the gateway cannot serve the whole file`
      )
    }
    return verdict('verified', `whole DAG: ${this.blocks} blocks, ${this.bytes} bytes, each hashing to its CID`)
  }
}

/** What a CAR that could not be read to its end says; the body's own failure is thrown for the retry loop. */
function unreadable(error: unknown, body: BoundedBody, blocks: number): Verdict {
  if (body.transport) throw body.transport.error
  if (body.oversized) {
    return verdict('corrupt', `the CAR has a section over ${MAX_BLOCK_BYTES} bytes; no block of a Nid is that large`)
  }
  // The stream ended cleanly inside a block: the gateway stopped sending, as it does when it
  // cannot find a block after committing to HTTP 200.
  if (/unexpected end of data/i.test(messageOf(error))) {
    return verdict('missing', `the CAR ends inside a block after ${blocks} blocks: the gateway stopped sending`)
  }
  return verdict('corrupt', `the gateway's CAR cannot be read (${messageOf(error)})`)
}

/**
 * Walks the CAR from `root`. A failure of `body` itself (a dropped connection, the attempt's
 * timeout) is thrown for the retry loop; everything the bytes say is a verdict.
 */
export async function proveCar(root: CID, body: AsyncIterable<Uint8Array>, order: CarOrder): Promise<Verdict> {
  const bounded = new BoundedBody(body)
  const walk = new DagWalk(root, order)
  try {
    const car = await CarBlockIterator.fromIterable(bounded.chunks())
    for await (const block of car) {
      bounded.blockDecoded()
      const settled = walk.take(block)
      if (settled) return settled
    }
  } catch (error) {
    return unreadable(error, bounded, walk.blocks)
  }
  return walk.end()
}
