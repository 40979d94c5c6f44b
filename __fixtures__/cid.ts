/**
 * The fixtures' own CIDs: the CID and the whole DAG Kubo's `ipfs add` makes of some bytes
 * (docs/numbers-api.md, "What a Nid is"), and the bytes of the vectors in cid-vectors.json.
 * Deliberately independent of the action's src/, so the mocks check the action's Nids instead of
 * echoing them.
 */ import { importByteStream, importBytes, type ImporterOptions, type WritableStorage } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'

export type CidVersion = 0 | 1

/** Kubo's defaults: 256 KiB chunks, balanced DAG of 174 links, raw leaves only for CIDv1. */
export function kuboOptions(version: CidVersion): ImporterOptions {
  return {
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    reduceSingleLeafToSelf: true,
    cidVersion: version,
    rawLeaves: version === 1,
    leafType: 'file'
  }
}

/** Only the root CID is wanted: blocks are dropped as they are made, so memory stays flat. */
const discard = { put: async <T>(cid: T): Promise<T> => cid }

type Bytes = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

async function importKubo(bytes: Bytes, version: CidVersion, blockstore: WritableStorage): Promise<CID> {
  const options = kuboOptions(version)
  const result =
    bytes instanceof Uint8Array
      ? await importBytes(bytes, blockstore, options)
      : await importByteStream(bytes, blockstore, options)
  return result.cid
}

/**
 * The CID Kubo gives these bytes: version 1 as `ipfs add --cid-version=1` (base32, `bafk...` for at
 * most one chunk, `bafy...` above), version 0 as plain `ipfs add` (base58btc, `Qm...`).
 */
export async function cidOf(bytes: Bytes, version: CidVersion): Promise<string> {
  return (await importKubo(bytes, version, discard)).toString()
}

/** A DAG as Kubo builds it: its root and every block, by CID string. */
export interface Dag {
  root: CID
  blocks: Map<string, Uint8Array>
}

/** The whole DAG of `cidOf`, blocks kept in memory (as big as the file: for the small files tests pin). */
export async function dagOf(bytes: Bytes, version: CidVersion): Promise<Dag> {
  const blocks = new Map<string, Uint8Array>()
  const keep = {
    put: async (cid: CID, block: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CID> => {
      if (block instanceof Uint8Array) blocks.set(cid.toString(), block)
      else {
        const parts: Uint8Array[] = []
        for await (const part of block) parts.push(part)
        blocks.set(cid.toString(), Buffer.concat(parts))
      }
      return cid
    }
  }
  return { root: await importKubo(bytes, version, keep), blocks }
}

/** A file described in __fixtures__/cid-vectors.json. */
export interface CidVector {
  name: string
  size: number
  byteModulus?: number
}

const HELLO = new TextEncoder().encode('hello world\n')

/** The bytes `start` .. `start + length` of a vector file. */
function vectorSlice(vector: CidVector, start: number, length: number): Uint8Array {
  if (vector.name === 'hello') return HELLO.slice(start, start + length)
  const modulus = vector.byteModulus
  if (modulus === undefined) {
    if (vector.size === 0) return new Uint8Array(0)
    throw new Error(`Vector '${vector.name}' has no byteModulus: cannot regenerate its bytes.`)
  }
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (start + i) % modulus
  return out
}

/** A vector file's bytes, whole ('empty': 0 bytes, 'hello': "hello world\n", else byte i = i % byteModulus). */
export function vectorBytes(vector: CidVector): Uint8Array {
  return vectorSlice(vector, 0, vector.size)
}

/** A vector file's bytes in chunks, for the large vectors (45 MiB) without holding them whole. */
export function* vectorChunks(vector: CidVector, chunkSize = 1 << 20): Generator<Uint8Array> {
  for (let start = 0; start < vector.size; start += chunkSize)
    yield vectorSlice(vector, start, Math.min(chunkSize, vector.size - start))
}
