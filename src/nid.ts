import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { importer, type ImporterOptions } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { CHUNK_SIZE, MAX_LINKS_PER_NODE } from './constants.js'
import type { CidVersion } from './inputs.js'

export interface FileDigest {
  nid: string
  sha256: string
  size: number
}

/**
 * Kubo's `ipfs add` defaults, which define a Nid: `--cid-version=1` implies raw leaves; plain
 * (CIDv0) uses dag-pb 'file' leaves. Both reduce a single-chunk file to its one block.
 */
export function importerOptions(version: CidVersion): ImporterOptions {
  return {
    cidVersion: version,
    rawLeaves: version === 1,
    leafType: 'file',
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_LINKS_PER_NODE }),
    wrapWithDirectory: false
  }
}

/** Only the CIDs matter; blocks are dropped as soon as they are made, so memory stays flat. */
const discard = { put: async <T>(cid: T): Promise<T> => cid }

/** The Nid of a byte stream (the importer's DAG root CID, in Kubo's default base). */
export async function nidOfStream(
  content: AsyncIterable<Uint8Array>,
  version: CidVersion
): Promise<string> {
  let root: string | undefined
  for await (const entry of importer([{ content }], discard, importerOptions(version))) {
    root = entry.cid.toString()
  }
  if (root === undefined) throw new Error('the importer produced no root CID')
  return root
}

/**
 * Reads are a whole number of chunks, so the chunker hands out views of each read instead of
 * copying, and large enough (4 MiB) that per-read overhead is small next to hashing.
 */
const READ_SIZE = 16 * CHUNK_SIZE

/** The Nid of a file, streamed from disk (memory stays flat whatever the file's size). */
export async function nidOfFile(file: string, version: CidVersion): Promise<string> {
  return nidOfStream(createReadStream(file, { highWaterMark: READ_SIZE }), version)
}

/** Streams the file once from disk to get its Nid, sha256 and size together. */
export async function digestFile(file: string, version: CidVersion): Promise<FileDigest> {
  const sha256 = createHash('sha256')
  let size = 0
  const stream = createReadStream(file, { highWaterMark: READ_SIZE })
  async function* tee(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      sha256.update(chunk)
      size += chunk.length
      yield chunk
    }
  }
  const nid = await nidOfStream(tee(), version)
  return { nid, sha256: sha256.digest('hex'), size }
}
