/**
 * What the Numbers mock's gateway holds: the blocks of every DAG pinned through the mock or
 * registered by a test, which roots are served (with every block of their DAGs), and the three ways
 * to serve a block (its raw bytes, a CARv1 of the DAG below it, the file's bytes). Blocks stay in
 * memory: tests pin small files.
 */
import { CarWriter } from '@ipld/car/writer'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { CID } from 'multiformats/cid'
import type { Dag } from './cid.js'

const RAW_CODE = 0x55

export interface Block {
  cid: CID
  bytes: Uint8Array
}

/** How a CAR is written: the order of its blocks and whether a block linked twice is sent twice. */
export interface CarShape {
  /** `dfs`: depth first, each parent before its children; `children-first`: each child before its parent. */
  order: 'dfs' | 'children-first'
  /** Send a block again each time it is linked (`dups=y`). */
  dups: boolean
}

/** The same bytes with the last one changed (or one byte for an empty block): no longer the block. */
export function corrupt(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return Uint8Array.of(0)
  const copy = Uint8Array.from(bytes)
  copy[copy.length - 1] ^= 0xff
  return copy
}

/** The canonical string of a CID (base32 for v1, base58btc for v0), or undefined if it is not one. */
export function canonicalCid(text: string): string | undefined {
  try {
    return CID.parse(text).toString()
  } catch {
    return undefined
  }
}

export class GatewayContent {
  private readonly blocks = new Map<string, Uint8Array>()
  private readonly pinned = new Set<string>()
  private readonly registered = new Set<string>()
  /** Every block key of each root's DAG. */
  private readonly members = new Map<string, Set<string>>()

  /** Keeps a DAG pinned through the Pin endpoint; served until it is unpinned. */
  pin(dag: Dag): void {
    this.add(dag)
    this.pinned.add(dag.root.toString())
  }

  /** Keeps a DAG that a test put on IPFS some other way: served, and unaffected by Unpin. */
  register(dag: Dag): void {
    this.add(dag)
    this.registered.add(dag.root.toString())
  }

  /** Stops serving a pinned root (its blocks stay, harmlessly); returns whether it was pinned. */
  unpin(root: string): boolean {
    return this.pinned.delete(root)
  }

  isPinned(root: string): boolean {
    return this.pinned.has(root)
  }

  /** Whether the gateway serves this root (canonical CID string). */
  serves(root: string): boolean {
    return this.pinned.has(root) || this.registered.has(root)
  }

  /** Whether the gateway serves this block: a served root, or any block of a served root's DAG. */
  servesBlock(key: string): boolean {
    for (const root of [...this.pinned, ...this.registered]) if (this.members.get(root)?.has(key)) return true
    return false
  }

  pinnedRoots(): string[] {
    return [...this.pinned]
  }

  clear(): void {
    this.blocks.clear()
    this.pinned.clear()
    this.registered.clear()
    this.members.clear()
  }

  /** A block's bytes (for a root, what a trustless gateway answers for `?format=raw`). */
  rawBlock(key: string): Uint8Array {
    const bytes = this.blocks.get(key)
    if (!bytes) throw new Error(`The gateway content has no block ${key}.`)
    return bytes
  }

  /** The file's bytes, from the leaves' data in DAG order. */
  fileBytes(root: string): Uint8Array {
    const parts: Uint8Array[] = []
    for (const { cid, bytes } of this.walk(root)) {
      const data = cid.code === RAW_CODE ? bytes : UnixFS.unmarshal(dagPb.decode(bytes).Data ?? new Uint8Array()).data
      if (data?.length) parts.push(data)
    }
    return Buffer.concat(parts)
  }

  /**
   * A CARv1 of the DAG: the root as the header's only root, then its blocks in the `shape` asked
   * (a trustless gateway's `?format=car` is `order=dfs`, each block once unless `dups=y` was asked).
   * `alter` may replace the blocks written, to make a CAR that lies.
   */
  async car(
    root: string,
    shape: CarShape,
    alter: (blocks: Block[]) => Block[] = blocks => blocks
  ): Promise<Uint8Array> {
    const seen = new Set<string>()
    const blocks: Block[] = []
    for (const block of shape.order === 'dfs' ? this.walk(root) : this.childrenFirst(root)) {
      const key = block.cid.toString()
      if (shape.dups || !seen.has(key)) blocks.push(block)
      seen.add(key)
    }
    const { writer, out } = CarWriter.create([CID.parse(root)])
    const parts: Uint8Array[] = []
    // The writer waits for its output to be read: read it while writing.
    const read = (async () => {
      for await (const part of out) parts.push(part)
    })()
    for (const block of alter(blocks)) await writer.put(block)
    await writer.close()
    await read
    return Buffer.concat(parts)
  }

  private add(dag: Dag): void {
    for (const [key, bytes] of dag.blocks) this.blocks.set(key, bytes)
    this.members.set(dag.root.toString(), new Set(dag.blocks.keys()))
  }

  /** Every block of the DAG depth first, root first, links in order (a repeated block each time). */
  private *walk(root: string): Generator<Block> {
    const stack = [root]
    while (stack.length > 0) {
      const key = stack.pop() as string
      const cid = CID.parse(key)
      const bytes = this.rawBlock(key)
      yield { cid, bytes }
      if (cid.code === dagPb.code) {
        const links = dagPb.decode(bytes).Links
        for (let i = links.length - 1; i >= 0; i--) stack.push(links[i].Hash.toString())
      }
    }
  }

  /** The same blocks with every child before its parent (depth first, links in order). */
  private *childrenFirst(key: string): Generator<Block> {
    const cid = CID.parse(key)
    const bytes = this.rawBlock(key)
    if (cid.code === dagPb.code)
      for (const link of dagPb.decode(bytes).Links) yield* this.childrenFirst(link.Hash.toString())
    yield { cid, bytes }
  }
}
