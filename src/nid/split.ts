import { createHash } from 'node:crypto'
import { CHUNK_SIZE } from '../constants.js'
import type { CidVersion } from '../types.js'
import { BalancedDag, leafOf } from './dag.js'
import { assertEnds, readAt } from './hash.js'

/**
 * One large file hashed by two threads: one computes the file's sha256 (a single sequential
 * stream), the other the leaf hashes and the DAG. Each segment is read once, into a ring of shared
 * slots both threads hash from; whichever thread runs out of work reads the next segment, so the
 * reading — as costly as hashing on a page-cached file — is split between them as their speeds
 * allow.
 */

export type Share = 'sha256' | 'leaves'

/**
 * A segment is 4 chunks: the two threads hand segments over with atomics and wake-ups, and segments of
 * one chunk (as a single thread reads) made a 1 GiB file slower (bench: 0.90 of sha256's speed, not
 * 0.96). 8 slots let the faster thread run a few segments ahead.
 */
const SEGMENT_SIZE = 4 * CHUNK_SIZE
const SLOTS = 8

// The control words: a generation counter every change bumps (a blocked thread waits on it), the
// abort flag, the next segment to read, then per slot the segment it holds (+1) and its consumers done.
const GENERATION = 0
const ABORTED = 1
const NEXT_READ = 2
const READY = 3
const DONE = READY + SLOTS
const CONTROL_WORDS = DONE + SLOTS

/** The shared memory of one two-thread job; reused job after job (reset by the pool). */
export interface Ring {
  data: SharedArrayBuffer
  control: SharedArrayBuffer
}

export function createRing(): Ring {
  return {
    data: new SharedArrayBuffer(SLOTS * SEGMENT_SIZE),
    control: new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT)
  }
}

export function resetRing(ring: Ring): void {
  new Int32Array(ring.control).fill(0)
}

/** Stops both threads of a job (one of them failed, or its worker died). */
export function abortRing(ring: Ring): void {
  const control = new Int32Array(ring.control)
  Atomics.store(control, ABORTED, 1)
  Atomics.add(control, GENERATION, 1)
  Atomics.notify(control, GENERATION)
}

/** Thrown in the thread whose partner failed: its own result is moot. */
export class AbortedError extends Error {
  constructor() {
    super('aborted: the other half of this file’s hashing failed')
    this.name = 'AbortedError'
  }
}

/** This thread's half of a file of `size` (> 0) bytes: the sha256 (hex) or the Nid. */
export function hashShare(share: Share, ring: Ring, fd: number, size: number, version: CidVersion): string {
  const control = new Int32Array(ring.control)
  const data = new Uint8Array(ring.data)
  const segments = Math.ceil(size / SEGMENT_SIZE)
  const lengthOf = (segment: number): number => Math.min(SEGMENT_SIZE, size - segment * SEGMENT_SIZE)
  const slotOf = (segment: number): Uint8Array =>
    data.subarray((segment % SLOTS) * SEGMENT_SIZE, (segment % SLOTS) * SEGMENT_SIZE + lengthOf(segment))
  const changed = (): void => {
    Atomics.add(control, GENERATION, 1)
    Atomics.notify(control, GENERATION)
  }
  const sha256 = createHash('sha256')
  const dag = new BalancedDag(version)
  try {
    for (let next = 0; next < segments;) {
      const generation = Atomics.load(control, GENERATION)
      if (Atomics.load(control, ABORTED)) throw new AbortedError()
      const slot = next % SLOTS
      if (Atomics.load(control, READY + slot) === next + 1) {
        const segment = slotOf(next)
        if (share === 'sha256') sha256.update(segment)
        else
          for (let offset = 0; offset < segment.length; offset += CHUNK_SIZE)
            dag.addLeaf(leafOf(segment.subarray(offset, offset + CHUNK_SIZE), version))
        // The second consumer to finish frees the slot for the segment SLOTS further on.
        Atomics.add(control, DONE + slot, 1)
        changed()
        next++
        continue
      }
      // Nothing to hash yet: read the next unread segment if its slot is free (both consumers done
      // with the segment it held), claimed atomically so the other thread does not read it too.
      const toRead = Atomics.load(control, NEXT_READ)
      const use = Math.floor(toRead / SLOTS)
      if (
        toRead < segments &&
        Atomics.load(control, DONE + (toRead % SLOTS)) === 2 * use &&
        Atomics.compareExchange(control, NEXT_READ, toRead, toRead + 1) === toRead
      ) {
        readAt(fd, slotOf(toRead), lengthOf(toRead), toRead * SEGMENT_SIZE, size)
        Atomics.store(control, READY + (toRead % SLOTS), toRead + 1)
        changed()
        continue
      }
      Atomics.wait(control, GENERATION, generation)
    }
    if (share === 'leaves') return dag.rootNid()
    assertEnds(fd, size)
    return sha256.digest('hex')
  } catch (error) {
    if (!(error instanceof AbortedError)) abortRing(ring)
    throw error
  }
}
