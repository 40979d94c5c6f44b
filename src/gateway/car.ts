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

/**
 * Walks the CAR from `root`. A failure of `body` itself (a dropped connection, the attempt's
 * timeout) is thrown for the retry loop; everything the bytes say is a verdict.
 */
export async function proveCar(root: CID, body: AsyncIterable<Uint8Array>, order: CarOrder): Promise<Verdict> {
  let pulled = 0
  let transport: { error: unknown } | undefined
  let oversized = false
  async function* bounded(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of body) {
        pulled += chunk.length
        if (pulled > MAX_PULL_BETWEEN_BLOCKS) {
          oversized = true
          throw new Error('oversized section')
        }
        yield chunk
      }
    } catch (error) {
      if (!oversized) transport = { error }
      throw error
    }
  }

  const expected = new Set([root.toString()])
  const arrived = order.parentFirstWithDups ? undefined : new Set<string>()
  let blocks = 0
  let bytes = 0
  try {
    const car = await CarBlockIterator.fromIterable(bounded())
    for await (const block of car) {
      pulled = 0
      const key = block.cid.toString()
      const counts = arrived ? !arrived.has(key) : expected.has(key)
      const why = unsupported(block.cid)
      if (why) {
        // A block of some other kind that nothing here links to is ignored, as the spec asks.
        if (!expected.has(key)) continue
        return verdict('corrupt', `block ${key} in the CAR: ${why}`)
      }
      if (block.bytes.length > MAX_BLOCK_BYTES || !hashesTo(block.cid, block.bytes)) {
        return verdict('corrupt', `block ${key} in the CAR does not hash to its CID: the gateway sent wrong bytes`)
      }
      if (!counts) continue
      let links: CID[]
      try {
        links = linksOf(block.cid, block.bytes)
      } catch {
        return verdict('corrupt', `block ${key} in the CAR is not valid dag-pb`)
      }
      arrived?.add(key)
      expected.delete(key)
      blocks++
      bytes += block.bytes.length
      for (const link of links) {
        const linked = link.toString()
        if (!arrived?.has(linked)) expected.add(linked)
      }
      if (expected.size + (arrived?.size ?? 0) > MAX_TRACKED_CIDS) {
        return verdict('error', `the DAG in the CAR has over ${MAX_TRACKED_CIDS} blocks; it is not a file's Nid`)
      }
    }
  } catch (error) {
    if (transport) throw transport.error
    if (oversized) {
      return verdict('corrupt', `the CAR has a section over ${MAX_BLOCK_BYTES} bytes; no block of a Nid is that large`)
    }
    // The stream ended cleanly inside a block: the gateway stopped sending, as it does when it
    // cannot find a block after committing to HTTP 200.
    if (/unexpected end of data/i.test(messageOf(error))) {
      return verdict('missing', `the CAR ends inside a block after ${blocks} blocks: the gateway stopped sending`)
    }
    return verdict('corrupt', `the gateway's CAR cannot be read (${messageOf(error)})`)
  }
  if (expected.size > 0) {
    const first = expected.values().next().value
    const note = arrived ? '' : ' (a block sent before the block linking to it does not count under order=dfs, dups=y)'
    return verdict(
      'missing',
      `the CAR ends without ${expected.size} linked block${expected.size === 1 ? '' : 's'} (first: ${first})${note}; the gateway cannot serve the whole file`
    )
  }
  return verdict('verified', `whole DAG: ${blocks} blocks, ${bytes} bytes, each hashing to its CID`)
}
