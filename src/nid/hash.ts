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

/**
 * One read is one chunk: a chunk never straddles two reads, and both of its hashes (the file's
 * sha256 and its leaf's) read it from the core's cache while it is still there — 1 MiB reads
 * hashed twice were ~25% slower (bench: 2,000 files of 512 KiB).
 */
export const READ_SIZE = CHUNK_SIZE

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

/**
 * Fills `buffer[0, length)` with the file's last `length` bytes, from `position`, and checks that it
 * ends there. With room in `buffer` for one more byte, one read does both: it asks for a byte past
 * the end, a regular file answers short at its end, so a full answer means the file grew (one
 * syscall per small file instead of two: 100,000 of them is most of a second).
 */
export function readLast(fd: number, buffer: Uint8Array, length: number, position: number, size: number): void {
  if (buffer.length <= length) {
    readAt(fd, buffer, length, position, size)
    assertEnds(fd, size)
    return
  }
  for (let filled = 0; ;) {
    const bytesRead = readSync(fd, buffer, filled, length + 1 - filled, position + filled)
    filled += bytesRead
    if (filled > length) throw new SizeChangedError(size, currentSize(fd, position + filled))
    if (filled === length) return
    if (bytesRead === 0) throw new SizeChangedError(size, currentSize(fd, position + filled))
  }
}

function currentSize(fd: number, fallback: number): number {
  try {
    return fstatSync(fd).size
  } catch {
    return fallback
  }
}

/**
 * Hashes one file on this thread: `size` bytes from `fd`, through the caller's reused `buffer` (one
 * byte larger than a read, for the end check).
 */
export function hashFdSync(fd: number, size: number, version: CidVersion, buffer: Uint8Array): FileDigest {
  const sha256 = createHash('sha256')
  if (size <= CHUNK_SIZE) {
    readLast(fd, buffer, size, 0, size)
    const chunk = buffer.subarray(0, size)
    // A file of one chunk is one leaf, and a CIDv1 leaf is the raw chunk: one hash serves both.
    const fileHash = sha256.update(chunk).digest()
    const dag = new BalancedDag(version)
    dag.addLeaf(version === 1 ? { digest: fileHash, blockSize: size, chunkSize: size } : leafOf(chunk, 0))
    return { nid: dag.rootNid(), sha256: fileHash.toString('hex'), size }
  }
  const dag = new BalancedDag(version)
  for (let position = 0; position < size; position += READ_SIZE) {
    const length = Math.min(READ_SIZE, size - position)
    if (position + length < size) readAt(fd, buffer, length, position, size)
    else readLast(fd, buffer, length, position, size)
    const chunk = buffer.subarray(0, length)
    sha256.update(chunk)
    dag.addLeaf(leafOf(chunk, version))
  }
  return { nid: dag.rootNid(), sha256: sha256.digest('hex'), size }
}
