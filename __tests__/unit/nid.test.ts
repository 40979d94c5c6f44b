/**
 * The hash pool against the published vectors of __fixtures__/cid-vectors.json (each computed by
 * independent implementations of Kubo's defaults). The files are regenerated from the vectors'
 * descriptions in a temp folder: byte i = i % byteModulus; 'empty' is 0 bytes; 'hello' is
 * "hello world\n".
 */
import { createHash } from 'node:crypto'
import { createReadStream, promises as fs, readSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CHUNK_SIZE } from '../../src/constants.js'
import { FileError } from '../../src/errors.js'
import type { CidVersion } from '../../src/types.js'
import type { FileDigest } from '../../src/nid/hash.js'
import { HashPool, INLINE_SIZE, SPLIT_SIZE } from '../../src/nid/pool.js'

interface Vector {
  name: string
  content: string
  size: number
  sha256: string
  cidV1: string
  cidV0: string
  byteModulus?: number
}

const vectorsFile = path.resolve(import.meta.dirname, '..', '..', '__fixtures__', 'cid-vectors.json')
const { vectors } = JSON.parse(await fs.readFile(vectorsFile, 'utf8')) as { vectors: Vector[] }

let dir: string
// The workers run src/nid/worker.ts through tsx (the pool's default from the TS sources).
let pool: HashPool
const digestFile = (file: string, version: CidVersion): Promise<FileDigest> => pool.hashFile(file, version)
const fileOf = (vector: Vector): string => path.join(dir, `${vector.name}.bin`)

/** Writes a vector's file in chunks of whole periods, so no more than about 1 MiB is in memory. */
async function writeVector(vector: Vector): Promise<void> {
  const handle = await fs.open(fileOf(vector), 'w')
  try {
    if (vector.name === 'hello') {
      await handle.writeFile('hello world\n')
      return
    }
    if (vector.byteModulus === undefined) {
      if (vector.size !== 0) throw new Error(`vector ${vector.name} cannot be regenerated from its description`)
      return
    }
    const modulus = vector.byteModulus
    // A whole number of periods: every piece starts at an offset ≡ 0 (mod modulus).
    const period = Buffer.alloc(modulus * 4096)
    for (let i = 0; i < period.length; i++) period[i] = i % modulus
    for (let written = 0; written < vector.size;) {
      const length = Math.min(period.length, vector.size - written)
      await handle.write(period, 0, length)
      written += length
    }
  } finally {
    await handle.close()
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

beforeAll(async () => {
  pool = new HashPool()
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nid-'))
  for (const vector of vectors) await writeVector(vector)
})
afterAll(async () => {
  await pool.close()
  await fs.rm(dir, { recursive: true, force: true })
})

test('the vectors cover the cases that matter: empty, one raw leaf, a chunk boundary, two DAG levels', () => {
  expect(vectors.map(v => v.name)).toEqual(
    expect.arrayContaining(['empty', 'hello', 'one-chunk', 'two-chunks', 'two-levels'])
  )
  expect(vectors.find(v => v.name === 'one-chunk')?.size).toBe(CHUNK_SIZE)
  expect(vectors.find(v => v.name === 'two-chunks')?.size).toBe(CHUNK_SIZE + 1)
  // More than 174 chunks: the balanced DAG needs a second level of links.
  expect(Math.ceil((vectors.find(v => v.name === 'two-levels')?.size ?? 0) / CHUNK_SIZE)).toBeGreaterThan(174)
})

describe.each(vectors.map(v => [v.name, v] as const))('vector %s', (_name, vector) => {
  test('the regenerated file has the vector’s size and sha256 (checks the generator itself)', async () => {
    expect((await fs.stat(fileOf(vector))).size).toBe(vector.size)
    expect(await sha256OfFile(fileOf(vector))).toBe(vector.sha256)
  })

  test('CIDv1: digestFile gives the Nid, sha256 and size', async () => {
    expect(await digestFile(fileOf(vector), 1)).toEqual({ nid: vector.cidV1, sha256: vector.sha256, size: vector.size })
  })

  test('CIDv0: digestFile gives the Qm CID, sha256 and size', async () => {
    expect(await digestFile(fileOf(vector), 0)).toEqual({ nid: vector.cidV0, sha256: vector.sha256, size: vector.size })
  })
})

test('CID shapes: v1 is base32 (bafk for one raw leaf, bafy above), v0 is base58 Qm', () => {
  for (const vector of vectors) {
    expect(vector.cidV1).toMatch(vector.size <= CHUNK_SIZE ? /^bafkrei[a-z2-7]{52}$/ : /^bafybei[a-z2-7]{52}$/)
    expect(vector.cidV0).toMatch(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/)
  }
})

test('many files hashed at once by the workers without mixing their bytes', async () => {
  const small = vectors.filter(v => v.size <= 2 ** 20)
  const jobs = [...small, ...small, ...small].flatMap(v => [
    digestFile(fileOf(v), 1).then(d => expect(d.nid).toBe(v.cidV1)),
    digestFile(fileOf(v), 0).then(d => expect(d.nid).toBe(v.cidV0))
  ])
  await Promise.all(jobs)
})

test('a missing file rejects with ENOENT, and later digests are still right', async () => {
  await expect(digestFile(path.join(dir, 'missing.bin'), 1)).rejects.toMatchObject({ code: 'ENOENT' })
  const hello = vectors.find(v => v.name === 'hello')
  if (!hello) throw new Error('the hello vector is missing')
  expect((await digestFile(fileOf(hello), 1)).nid).toBe(hello.cidV1)
})

test('a folder is not a file: its read fails as a FileError naming it', async () => {
  const error = await digestFile(dir, 1).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(FileError)
  expect((error as FileError).message).toBe(
    `${dir}: could not be read (EISDIR); check that it is a readable regular file`
  )
})

describe('hashFd: the caller’s open file, by its fd', () => {
  // One size per path: on the calling thread, in one worker (ending mid-read and on a read's end),
  // shared by two workers.
  const sizes = [INLINE_SIZE, 2 * CHUNK_SIZE + 5, 2 * CHUNK_SIZE, SPLIT_SIZE + 3]
  let bytes: Buffer
  beforeAll(() => {
    bytes = Buffer.alloc(SPLIT_SIZE + 3)
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 251
  })

  async function withFile<T>(size: number, use: (fd: number, file: string) => Promise<T>): Promise<T> {
    const file = path.join(dir, `fd-${size}.bin`)
    await fs.writeFile(file, bytes.subarray(0, size))
    const handle = await fs.open(file, 'r')
    try {
      return await use(handle.fd, file)
    } finally {
      await handle.close()
      await fs.rm(file)
    }
  }

  test.each(sizes)('%i bytes: hashed with positional reads; the fd stays open, at its start', async size => {
    await withFile(size, async fd => {
      const digest = await pool.hashFd(fd, size, 1, 'dist/app.bin')
      expect(digest.sha256).toBe(createHash('sha256').update(bytes.subarray(0, size)).digest('hex'))
      expect(digest.size).toBe(size)
      // The upload reads the same fd again, from its start.
      const head = Buffer.alloc(16)
      expect(readSync(fd, head, 0, 16, null)).toBe(16)
      expect(head).toEqual(bytes.subarray(0, 16))
    })
  })

  test.each(sizes)('%i bytes: a file shorter or longer than expected is a FileError naming it', async size => {
    await withFile(size, async fd => {
      await expect(pool.hashFd(fd, size + 1, 0, 'dist/app.bin')).rejects.toThrow(
        new FileError(
          'dist/app.bin',
          `changed size from ${size + 1} to ${size} bytes after it was found; make sure nothing writes to it during this step`
        )
      )
      await expect(pool.hashFd(fd, size - 1, 1, 'dist/app.bin')).rejects.toThrow(
        `dist/app.bin: changed size from ${size - 1} to ${size} bytes after it was found`
      )
    })
  })

  test('a worker that dies fails every job posted to it, and the next job gets a new worker', async () => {
    // Each worker dies on its first job; two jobs wait in its port, a third in the pool's queue.
    const dying = new HashPool({
      size: 1,
      worker: {
        url: new URL(
          "data:text/javascript,import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3))"
        ),
        execArgv: []
      }
    })
    try {
      await withFile(2 * CHUNK_SIZE + 5, async fd => {
        const pending = [1, 2, 3].map(() => dying.hashFd(fd, 2 * CHUNK_SIZE + 5, 1).catch((e: Error) => e.message))
        expect(await Promise.all(pending)).toEqual(Array(3).fill('internal: a hashing worker exited (code 3)'))
      })
    } finally {
      await dying.close()
    }
  })

  test('a closed pool rejects what it had queued and anything asked of it later', async () => {
    const local = new HashPool({ size: 1 })
    await withFile(2 * CHUNK_SIZE + 5, async fd => {
      const pending = [1, 2, 3].map(() => local.hashFd(fd, 2 * CHUNK_SIZE + 5, 1).catch((e: Error) => e.message))
      await local.close()
      expect(await Promise.all(pending)).toEqual(Array(3).fill('cancelled: the hash pool was closed'))
    })
    await expect(local.hashFd(0, 1, 1)).rejects.toThrow('closed')
  })
})
