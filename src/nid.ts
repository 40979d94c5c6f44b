import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { CHUNK_SIZE, MAX_LINKS_PER_NODE } from './constants.js'
import type { CidVersion } from './types.js'

/**
 * The Nid of a file: the root CID Kubo's `ipfs add` gives it (`--cid-version=1` for version 1).
 *
 * This is a dedicated fast path, not ipfs-unixfs-importer: the importer's async pipeline and its
 * read-ahead of up to 50 chunks per file cost about a third of the throughput and tens of MB per
 * file in flight. The DAG is the importer's, built the same way (the tests keep the importer as
 * the oracle): fixed 256 KiB chunks; raw leaves for CIDv1, dag-pb UnixFS 'file' leaves for CIDv0;
 * a balanced tree of at most 174 links per node; a single-chunk file is its one leaf.
 */

export interface FileDigest {
  nid: string
  sha256: string
  size: number
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

function cidOf(block: Uint8Array, codec: number, version: CidVersion): CID {
  const digest = createDigest(SHA2_256, createHash('sha256').update(block).digest())
  return version === 0 ? CID.createV0(digest) : CID.createV1(codec, digest)
}

/** Builds the balanced DAG level by level as chunks arrive, keeping at most 174 nodes a level. */
export class BalancedDag {
  private readonly levels: DagNode[][] = [[]]

  constructor(private readonly version: CidVersion) {}

  addChunk(chunk: Uint8Array): void {
    if (this.version === 1) {
      this.push(0, { cid: cidOf(chunk, RAW, 1), dagSize: chunk.length, fileSize: chunk.length })
      return
    }
    const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'file', data: chunk }).marshal() }))
    this.push(0, { cid: cidOf(block, dagPb.code, 0), dagSize: block.length, fileSize: chunk.length })
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
      cid: cidOf(block, dagPb.code, this.version),
      dagSize: children.reduce((sum, child) => sum + child.dagSize, block.length),
      fileSize: children.reduce((sum, child) => sum + child.fileSize, 0)
    }
  }
}

/** Reads are a whole number of chunks; two buffers let the next read run while one is hashed. */
const READ_SIZE = 4 * CHUNK_SIZE

/** Read buffers are reused from file to file (nothing keeps a chunk): hashing makes no garbage. */
const spareBuffers: Buffer[] = []
const takeBuffer = (): Buffer => spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE)

/**
 * Streams the file from disk once, in two reused buffers (memory stays flat whatever the file's
 * size), handing each chunk to the DAG and to `onChunk`.
 */
async function hashFile(
  file: string,
  version: CidVersion,
  onChunk?: (chunk: Uint8Array) => void
): Promise<{ nid: string; size: number }> {
  const handle = await open(file, 'r')
  const buffers: Buffer[] = []
  let pending: Promise<number> | undefined
  try {
    const dag = new BalancedDag(version)
    buffers.push(takeBuffer(), takeBuffer())
    // Fills the whole buffer unless the file ends, so chunks stay aligned across reads.
    const fill = async (buffer: Buffer): Promise<number> => {
      let filled = 0
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return filled
    }
    let size = 0
    let current = 0
    pending = fill(buffers[current])
    for (;;) {
      const filled = await pending
      const data = buffers[current]
      const more = filled === READ_SIZE
      if (more) pending = fill(buffers[(current ^= 1)])
      for (let offset = 0; offset < filled; offset += CHUNK_SIZE) {
        const chunk = data.subarray(offset, Math.min(offset + CHUNK_SIZE, filled))
        dag.addChunk(chunk)
        onChunk?.(chunk)
      }
      size += filled
      if (!more) break
    }
    // An empty file is one empty chunk, as in Kubo.
    if (size === 0) dag.addChunk(new Uint8Array(0))
    return { nid: dag.root().toString(), size }
  } finally {
    // A read still in flight (after an error) must finish before its buffer serves another file.
    await pending?.catch(() => 0)
    spareBuffers.push(...buffers)
    await handle.close()
  }
}

/** The Nid of a file alone. */
export async function nidOfFile(file: string, version: CidVersion): Promise<string> {
  return (await hashFile(file, version)).nid
}

/** The Nid, sha256 and size of a file, from one read of it. */
export async function digestFile(file: string, version: CidVersion): Promise<FileDigest> {
  const sha256 = createHash('sha256')
  const { nid, size } = await hashFile(file, version, chunk => sha256.update(chunk))
  return { nid, sha256: sha256.digest('hex'), size }
}
