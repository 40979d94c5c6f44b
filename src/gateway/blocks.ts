/**
 * What a block of a Nid's DAG may be, and whether bytes are the block a CID names. Pure functions:
 * the gateway modules hand them whatever the gateway sent, never trusting it.
 */
import { createHash } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import type { CID } from 'multiformats/cid'

/** Multihash codes and codecs of a file's DAG as this action builds it (Kubo's defaults). */
export const SHA2_256 = 0x12
const IDENTITY = 0x00
export const RAW = 0x55

/**
 * No block of a Nid is larger: chunks are 256 KiB, a parent of 174 links is about 8 KiB, and
 * Bitswap refuses blocks over 2 MiB. Anything larger is not a block of this DAG.
 */
export const MAX_BLOCK_BYTES = 2 * 2 ** 20

/** Why `cid` cannot be a block of a file's DAG (a sha2-256 raw or dag-pb CID), or undefined. */
export function unsupported(cid: CID): string | undefined {
  if (cid.multihash.code !== SHA2_256) {
    return `multihash 0x${cid.multihash.code.toString(16)} is not sha2-256, the only hash a Nid uses`
  }
  if (cid.code !== RAW && cid.code !== dagPb.code) {
    return `codec 0x${cid.code.toString(16)} is neither raw nor dag-pb, the codecs of a file's DAG`
  }
  return undefined
}

/** Whether `bytes` hash (sha2-256) to the digest in `cid`: the one test of a block's authenticity. */
export function hashesTo(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA2_256) return false
  return Buffer.from(createHash('sha256').update(bytes).digest()).equals(cid.multihash.digest)
}

/**
 * The CIDs a verified block links to, each a block that must arrive too. Raw blocks have none;
 * identity CIDs carry their data inline and are never sent as blocks. Throws on bytes that are not
 * dag-pb (the block hashed right, so its CID's codec is wrong: not a file's DAG).
 */
export function linksOf(cid: CID, bytes: Uint8Array): CID[] {
  if (cid.code === RAW) return []
  return dagPb
    .decode(bytes)
    .Links.map(link => link.Hash)
    .filter(link => link.multihash.code !== IDENTITY)
}
