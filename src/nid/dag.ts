import { createHash, type Hash } from 'node:crypto'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { CHUNK_SIZE, MAX_LINKS_PER_NODE } from '../constants.js'
import type { CidVersion } from '../types.js'

/**
 * The Nid of a file: the root CID Kubo's `ipfs add` gives it (`--cid-version=1` for version 1).
 *
 * This is a dedicated fast path, not ipfs-unixfs-importer: the importer's async pipeline and its
 * read-ahead of up to 50 chunks per file cost about a third of the throughput and tens of MB per
 * file in flight. The DAG is the importer's, built the same way (the tests keep the importer as
 * the oracle): fixed 256 KiB chunks; raw leaves for CIDv1, dag-pb UnixFS 'file' leaves for CIDv0;
 * a balanced tree of at most 174 links per node; a single-chunk file is its one leaf.
 */

/** A leaf as the DAG needs it: its block's sha256, the block's size and the file bytes it holds. */
export interface Leaf {
  digest: Uint8Array
  blockSize: number
  chunkSize: number
}

interface DagNode {
  cid: CID
  /** Bytes of the node's whole DAG: a link's Tsize. */
  dagSize: number
  /** File bytes below the node: the parent's UnixFS blocksize. */
  fileSize: number
}

const SHA2_256 = 0x12
const RAW = 0x55

function varint(n: number): number[] {
  const bytes: number[] = []
  for (; n >= 0x80; n = Math.floor(n / 0x80)) bytes.push((n % 0x80) | 0x80)
  bytes.push(n)
  return bytes
}

/**
 * The bytes dag-pb puts around a chunk in a CIDv0 leaf, PBNode{Data: UnixFS{Type: file, Data:
 * chunk, filesize}}: the leaf's hash is fed head, chunk, tail, without copying the chunk.
 */
export function v0Envelope(chunkSize: number): { head: Uint8Array; tail: Uint8Array } {
  if (chunkSize === 0) return { head: Uint8Array.of(0x0a, 0x04, 0x08, 0x02, 0x18, 0x00), tail: new Uint8Array(0) }
  const size = varint(chunkSize)
  const unixfsHead = [0x08, 0x02, 0x12, ...size]
  const tail = [0x18, ...size]
  return {
    head: Uint8Array.from([0x0a, ...varint(unixfsHead.length + chunkSize + tail.length), ...unixfsHead]),
    tail: Uint8Array.from(tail)
  }
}

/** Every chunk but a file's last is full: their envelope is computed once. */
const fullEnvelope = v0Envelope(CHUNK_SIZE)

/** The leaf of one chunk: for CIDv1 the raw chunk, for CIDv0 the chunk in its envelope. */
export function leafOf(chunk: Uint8Array, version: CidVersion, hash: Hash = createHash('sha256')): Leaf {
  if (version === 1) return { digest: hash.update(chunk).digest(), blockSize: chunk.length, chunkSize: chunk.length }
  const envelope = chunk.length === CHUNK_SIZE ? fullEnvelope : v0Envelope(chunk.length)
  const digest = hash.update(envelope.head).update(chunk).update(envelope.tail).digest()
  return { digest, blockSize: envelope.head.length + chunk.length + envelope.tail.length, chunkSize: chunk.length }
}

function cidOf(digest: Uint8Array, codec: number, version: CidVersion): CID {
  const multihash = createDigest(SHA2_256, digest)
  return version === 0 ? CID.createV0(multihash) : CID.createV1(codec, multihash)
}

/** Builds the balanced DAG level by level as leaves arrive, keeping at most 174 nodes a level. */
export class BalancedDag {
  private readonly levels: DagNode[][] = [[]]

  constructor(private readonly version: CidVersion) {}

  addChunk(chunk: Uint8Array): void {
    this.addLeaf(leafOf(chunk, this.version))
  }

  addLeaf(leaf: Leaf): void {
    const codec = this.version === 1 ? RAW : dagPb.code
    this.push(0, { cid: cidOf(leaf.digest, codec, this.version), dagSize: leaf.blockSize, fileSize: leaf.chunkSize })
  }

  /** The root CID; a file of one chunk (an empty file included) is that chunk's leaf. */
  root(): CID {
    for (let level = 0; ; level++) {
      const nodes = this.levels[level]
      if (level === this.levels.length - 1 && nodes.length === 1) return nodes[0].cid
      if (nodes.length > 0) {
        this.levels[level] = []
        this.push(level + 1, this.parent(nodes))
      }
    }
  }

  /**
   * The root CID as text (the Nid), as one flat string. multiformats' encoders append a character at
   * a time, which V8 keeps as a rope of ~60 nodes (1.5 KB) until the string is read as a whole; a run
   * keeps every Nid, so 100,000 of them held 150 MB. Copying the ASCII text makes it one string.
   */
  rootNid(): string {
    return Buffer.from(this.root().toString(), 'latin1').toString('latin1')
  }

  private push(level: number, node: DagNode): void {
    const nodes = (this.levels[level] ??= [])
    nodes.push(node)
    if (nodes.length === MAX_LINKS_PER_NODE) {
      this.levels[level] = []
      this.push(level + 1, this.parent(nodes))
    }
  }

  private parent(children: DagNode[]): DagNode {
    const unixfs = new UnixFS({ type: 'file' })
    for (const child of children) unixfs.addBlockSize(BigInt(child.fileSize))
    const block = dagPb.encode(
      dagPb.prepare({
        Data: unixfs.marshal(),
        Links: children.map(child => ({ Hash: child.cid, Name: '', Tsize: child.dagSize }))
      })
    )
    return {
      cid: cidOf(createHash('sha256').update(block).digest(), dagPb.code, this.version),
      dagSize: children.reduce((sum, child) => sum + child.dagSize, block.length),
      fileSize: children.reduce((sum, child) => sum + child.fileSize, 0)
    }
  }
}
