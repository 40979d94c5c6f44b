/**
 * The fast Nid path against ipfs-unixfs-importer configured as Kubo (the oracle), at sizes on and
 * around every boundary: chunk, read buffer, one full node of 174 links, and a second DAG level.
 */
import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { cidOf } from '../../__fixtures__/cid.js'
import { CHUNK_SIZE } from '../../src/constants.js'
import { BalancedDag, digestFile } from '../../src/nid.js'

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

describe('digestFile reads files across read-buffer boundaries', () => {
  let dir: string
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nid-oracle-'))
  })
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  test.each([0, 5, READ - 1, READ, READ + 1, 2 * READ, 3 * READ + CHUNK_SIZE + 3])('%i bytes', async size => {
    const bytes = pool.subarray(0, size)
    const file = path.join(dir, `f-${size}`)
    await fs.writeFile(file, bytes)
    for (const version of [0, 1] as const) {
      expect(await digestFile(file, version)).toEqual({
        nid: await cidOf(bytes, version),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size
      })
    }
  })
})
