/**
 * The fast Nid path against ipfs-unixfs-importer configured as Kubo (the oracle), at sizes on and
 * around every boundary: chunk, read buffer, one full node of 174 links, and a second DAG level.
 */
import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as dagPb from '@ipld/dag-pb'
import { UnixFS } from 'ipfs-unixfs'
import { cidOf } from '../../__fixtures__/cid.js'
import { CHUNK_SIZE } from '../../src/constants.js'
import { BalancedDag, v0Envelope } from '../../src/nid/dag.js'
import { HashPool, INLINE_SIZE, SPLIT_SIZE } from '../../src/nid/pool.js'

const NODE = 174 * CHUNK_SIZE
const READ = 4 * CHUNK_SIZE
const random = (n: number): number => Math.floor(Math.random() * n)

const sizes = [
  0,
  1,
  CHUNK_SIZE - 1,
  CHUNK_SIZE,
  CHUNK_SIZE + 1,
  READ - 1,
  READ,
  READ + 1,
  NODE - 1,
  NODE,
  NODE + 1,
  NODE + CHUNK_SIZE,
  2 * NODE + 7,
  // Random sizes near the boundaries, different on every run.
  1 + random(CHUNK_SIZE),
  CHUNK_SIZE * (2 + random(40)) + random(3) - 1,
  NODE + random(3 * CHUNK_SIZE)
]

const pool = randomBytes(2 * NODE + 8)

function nidOfBytes(bytes: Uint8Array, version: 0 | 1): string {
  const dag = new BalancedDag(version)
  for (let offset = 0; offset < bytes.length; offset += CHUNK_SIZE)
    dag.addChunk(bytes.subarray(offset, offset + CHUNK_SIZE))
  if (bytes.length === 0) dag.addChunk(bytes)
  return dag.root().toString()
}

describe.each([1, 0] as const)('CIDv%i', version => {
  test.each(sizes)('%i bytes: same root as the importer', async size => {
    const bytes = pool.subarray(0, size)
    expect(nidOfBytes(bytes, version)).toBe(await cidOf(bytes, version))
  })
})

describe('the hash pool: on the calling thread, in one worker, shared by two workers', () => {
  let dir: string
  let hashPool: HashPool
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nid-oracle-'))
    hashPool = new HashPool({ size: 2 })
  })
  afterAll(async () => {
    await hashPool.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  test.each([
    0,
    5,
    INLINE_SIZE,
    INLINE_SIZE + 1,
    READ - 1,
    READ,
    READ + 1,
    3 * READ + CHUNK_SIZE + 3,
    SPLIT_SIZE - 1,
    SPLIT_SIZE,
    // Past the ring's 8 slots, so each slot is reused; then two DAG levels.
    SPLIT_SIZE + 9 * READ + 3,
    2 * NODE + 7
  ])('%i bytes', async size => {
    const bytes = pool.subarray(0, size)
    const file = path.join(dir, `f-${size}`)
    await fs.writeFile(file, bytes)
    for (const version of [0, 1] as const) {
      expect(await hashPool.hashFile(file, version)).toEqual({
        nid: await cidOf(bytes, version),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size
      })
    }
    await fs.rm(file)
  })
})

test('the CIDv0 envelope is the bytes dag-pb encodes around a chunk', () => {
  for (const size of [0, 1, 127, 128, 16383, 16384, CHUNK_SIZE - 1, CHUNK_SIZE]) {
    const chunk = pool.subarray(0, size)
    const block = dagPb.encode(dagPb.prepare({ Data: new UnixFS({ type: 'file', data: chunk }).marshal() }))
    const { head, tail } = v0Envelope(size)
    expect(Buffer.concat([head, chunk, tail])).toEqual(Buffer.from(block))
  }
})
