import { createHash } from 'node:crypto'
import { fstatSync, readSync } from 'node:fs'
import { CHUNK_SIZE } from '../constants.js'
import type { CidVersion } from '../types.js'
import { BalancedDag, leafOf } from './dag.js'

/** The Nid, sha256 (hex) and size of a file, from one read of it. */
export interface FileDigest {
  nid: string
  sha256: string
  size: number
}

/** Reads are a whole number of chunks, so chunks never straddle two reads. */
export const READ_SIZE = 4 * CHUNK_SIZE

/** The file's size is not the one its caller checked: it changed while the action ran. */
export class SizeChangedError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number
  ) {
    super(`changed size from ${expected} to ${actual} bytes`)
    this.name = 'SizeChangedError'
  }
}

/**
 * Fills `buffer[0, length)` from `position` with positional reads (the caller's fd is left where
 * it was, so it can be read again for the upload); a short read means the file shrank.
 */
export function readAt(fd: number, buffer: Uint8Array, length: number, position: number, expectedSize: number): void {
  for (let filled = 0; filled < length;) {
    const bytesRead = readSync(fd, buffer, filled, length - filled, position + filled)
    if (bytesRead === 0) throw new SizeChangedError(expectedSize, currentSize(fd, position + filled))
    filled += bytesRead
  }
}

/** Once `size` bytes are hashed, one more byte means the file grew. */
export function assertEnds(fd: number, size: number): void {
  if (readSync(fd, Buffer.alloc(1), 0, 1, size) > 0) throw new SizeChangedError(size, currentSize(fd, size + 1))
}

function currentSize(fd: number, fallback: number): number {
  try {
    return fstatSync(fd).size
  } catch {
    return fallback
  }
}

/** Hashes one file on this thread: `size` bytes from `fd`, through the caller's reused `buffer`. */
export function hashFdSync(fd: number, size: number, version: CidVersion, buffer: Uint8Array): FileDigest {
  const sha256 = createHash('sha256')
  if (size <= CHUNK_SIZE) {
    const chunk = buffer.subarray(0, size)
    readAt(fd, chunk, size, 0, size)
    assertEnds(fd, size)
    // A file of one chunk is one leaf, and a CIDv1 leaf is the raw chunk: one hash serves both.
    const fileHash = sha256.update(chunk).digest()
    const dag = new BalancedDag(version)
    dag.addLeaf(version === 1 ? { digest: fileHash, blockSize: size, chunkSize: size } : leafOf(chunk, 0))
    return { nid: dag.rootNid(), sha256: fileHash.toString('hex'), size }
  }
  const dag = new BalancedDag(version)
  for (let position = 0; position < size; position += READ_SIZE) {
    const length = Math.min(READ_SIZE, size - position)
    readAt(fd, buffer, length, position, size)
    const data = buffer.subarray(0, length)
    sha256.update(data)
    for (let offset = 0; offset < length; offset += CHUNK_SIZE)
      dag.addLeaf(leafOf(data.subarray(offset, Math.min(offset + CHUNK_SIZE, length)), version))
  }
  assertEnds(fd, size)
  return { nid: dag.rootNid(), sha256: sha256.digest('hex'), size }
}
