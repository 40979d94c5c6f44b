/**
 * The CAR walk keeps CIDs, never blocks: a large file streamed through it leaves memory flat. The
 * CAR is made as the importer makes the DAG (children before parents, so the walk keeps the CIDs that
 * arrived) and streamed with back-pressure, so nothing else holds it either.
 */
import { CarWriter } from '@ipld/car/writer'
import { importByteStream } from 'ipfs-unixfs-importer'
import { CID } from 'multiformats/cid'
import { cidOf, kuboOptions } from '../../__fixtures__/cid.js'
import { proveCar } from '../../src/gateway/car.js'
import { proveBytes } from '../../src/gateway/bytes.js'

const SIZE = 256 * 2 ** 20
const PIECE = 2 ** 20

/** Deterministic bytes, every chunk unlike the others, made piece by piece: one piece held at a time. */
function* content(): Generator<Uint8Array> {
  for (let offset = 0; offset < SIZE; offset += PIECE) {
    const piece = new Uint8Array(PIECE)
    const view = new DataView(piece.buffer)
    for (let i = 0; i < PIECE; i += 4096) view.setUint32(i, offset + i)
    yield piece
  }
}

/** The highest memory in use (heap and buffers) seen while `source` is read. */
function watched(source: AsyncIterable<Uint8Array>, peak: { bytes: number }): AsyncIterable<Uint8Array> {
  return (async function* () {
    for await (const chunk of source) {
      const { heapUsed, arrayBuffers } = process.memoryUsage()
      peak.bytes = Math.max(peak.bytes, heapUsed + arrayBuffers)
      yield chunk
    }
  })()
}

function carOf(): AsyncIterable<Uint8Array> {
  const { writer, out } = CarWriter.create([])
  void (async () => {
    const store = {
      put: async (cid: CID, bytes: Uint8Array): Promise<CID> => {
        await writer.put({ cid, bytes })
        return cid
      }
    }
    await importByteStream(content(), store, kuboOptions(1))
    await writer.close()
  })()
  return out
}

const baseline = (): number => {
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

test(`a ${SIZE / 2 ** 20} MiB file proven from its CAR and from its bytes, memory flat`, async () => {
  const root = CID.parse(await cidOf(content(), 1))

  const start = baseline()
  const peak = { bytes: 0 }
  const car = await proveCar(root, watched(carOf(), peak), { parentFirstWithDups: false })
  // 1024 leaves, 6 parents and the root.
  expect(car).toMatchObject({ status: 'verified', detail: expect.stringContaining('1031 blocks') })
  // Far below the file (garbage not yet collected counts too, so the bound is half the file: holding the
  // file whole, or any large part of it, fails it). What is kept is a set of about a thousand CIDs.
  expect(peak.bytes - start).toBeLessThan(SIZE / 2)

  const bytesPeak = { bytes: 0 }
  const bytesStart = baseline()
  const bytes = await proveBytes(
    root,
    watched(
      (async function* () {
        yield* content()
      })(),
      bytesPeak
    )
  )
  expect(bytes.status).toBe('verified')
  expect(bytesPeak.bytes - bytesStart).toBeLessThan(SIZE / 2)
})
