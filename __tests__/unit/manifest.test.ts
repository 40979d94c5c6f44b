import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FileError } from '../../src/errors.js'
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import {
  carryForward,
  MAX_PREVIOUS_MANIFEST_BYTES,
  readPreviousManifest,
  type EarlierPin,
  type Manifest
} from '../../src/manifest.js'
import type { EntryResult } from '../../src/types.js'
import { writeWhole } from '../helpers/results.js'

let dir: string

/** A real CID for a label (a manifest's Nids must parse as CIDs of their version): v1 raw leaf, or v0. */
const digestOf = (label: string) => createDigest(0x12, createHash('sha256').update(label).digest())
const nid1 = (label: string): string => CID.createV1(0x55, digestOf(label)).toString()
const nid0 = (label: string): string => CID.createV0(digestOf(label)).toString()
/** The pins of a previous manifest, as the pin action reads them. */
const readPinnedIndex = async (file: string, version: 0 | 1) => (await readPreviousManifest(file, version))?.pins
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'manifest-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const manifest = (results: EntryResult[], earlierPins: EarlierPin[] = [], cidVersion: 0 | 1 = 1): Manifest => ({
  schema: 'numbers-pin-action/manifest@1',
  actionVersion: '1.0.0',
  cidVersion,
  startedAt: '2026-11-23T00:00:00.000Z',
  finishedAt: '2026-11-23T00:00:01.000Z',
  complete: true,
  provenance: {
    repository: 'o/r',
    sha: 'abc',
    ref: 'refs/heads/main',
    workflow: 'w',
    runId: 1,
    runAttempt: 1,
    runUrl: 'https://github.com/o/r/actions/runs/1',
    event: 'push',
    actor: 'me'
  },
  results,
  earlierPins
})

const mixed: EntryResult[] = [
  {
    source: 'file',
    path: 'x',
    nid: nid1('pinned'),
    cidVersion: 1,
    status: 'pinned',
    orderId: 'o1',
    fileUrl: 'https://gw.example/u1'
  },
  { source: 'file', path: 'y', nid: nid1('again'), cidVersion: 1, status: 'already-pinned', orderId: 'o0' },
  { source: 'file', path: 'z', nid: nid1('only'), cidVersion: 1, status: 'nid-only' },
  { source: 'file', path: 'w', nid: nid1('failed'), cidVersion: 1, status: 'failed', error: 'e' },
  { source: 'file', path: 'v', nid: nid0('v0'), cidVersion: 0, status: 'pinned', orderId: 'o2' },
  { source: 'url', url: 'https://x/u', nid: nid1('url'), cidVersion: 1, status: 'pinned', orderId: 'o3' },
  { source: 'file', path: 'f', cidVersion: 1, status: 'failed', error: 'no Nid' },
  { source: 'file', path: 'r', nid: nid1('repinned'), cidVersion: 1, status: 'repinned', orderId: 'o4' }
]

async function writeText(name: string, text: string): Promise<string> {
  const file = path.join(dir, name)
  await fs.writeFile(file, text)
  return file
}

describe('writeManifest', () => {
  test('creates missing parent folders and writes JSON, one entry a line, ending in a newline', async () => {
    const file = path.join(dir, 'a', 'b', 'c', 'm.json')
    const written = manifest(mixed, [{ nid: nid1('old'), cidVersion: 1, orderId: 'o9' }])
    await writeWhole(file, written)
    const text = await fs.readFile(file, 'utf8')
    expect(JSON.parse(text)).toEqual(written)
    expect(text.endsWith('\n')).toBe(true)
    for (const entry of [...written.results, ...written.earlierPins])
      expect(text).toContain(`\n    ${JSON.stringify(entry)}`)
    // Atomic: written beside it and renamed, nothing left over.
    expect(await fs.readdir(path.dirname(file))).toEqual(['m.json'])
  })

  test('empty lists are written as [] and read back', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest([]))
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(manifest([]))
  })

  test('replaces an earlier manifest at the same path', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest(mixed))
    await writeWhole(file, manifest([]))
    expect(JSON.parse(await fs.readFile(file, 'utf8')).results).toEqual([])
  })

  test('fails when the parent cannot be a folder', async () => {
    const blocker = await writeText('blocker', 'a file')
    await expect(writeWhole(path.join(blocker, 'm.json'), manifest([]))).rejects.toThrow()
  })
})

describe('readPinnedIndex', () => {
  test('a missing file is the first run: undefined, not an error', async () => {
    expect(await readPinnedIndex(path.join(dir, 'none.json'), 1)).toBeUndefined()
    expect(await readPinnedIndex(path.join(dir, 'no', 'such', 'folder', 'm.json'), 1)).toBeUndefined()
  })

  test('indexes only pinned, repinned and already-pinned entries of the same CID version, by Nid', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest(mixed))
    const index = await readPinnedIndex(file, 1)
    expect(index).toBeInstanceOf(Map)
    expect(Object.fromEntries(index ?? [])).toEqual({
      [nid1('pinned')]: { orderId: 'o1', fileUrl: 'https://gw.example/u1', paths: ['x'] },
      [nid1('again')]: { orderId: 'o0', fileUrl: undefined, paths: ['y'] },
      [nid1('url')]: { orderId: 'o3', fileUrl: undefined, paths: ['https://x/u'] },
      [nid1('repinned')]: { orderId: 'o4', fileUrl: undefined, paths: ['r'] }
    })
  })

  test('for CID version 0, only the version-0 pins', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest(mixed))
    expect([...((await readPinnedIndex(file, 0)) ?? []).keys()]).toEqual([nid0('v0')])
  })

  test('entries without a cidVersion are read as the run’s version; pins without a valid Nid are dropped and counted', async () => {
    const file = await writeText(
      'm.json',
      JSON.stringify({
        results: [
          { status: 'pinned', nid: nid0('no-version'), orderId: 'o1' },
          { status: 'pinned', nid: 42, orderId: 'o2' },
          { status: 'pinned', orderId: 'o3' },
          { status: 'PINNED', nid: nid1('wrong-case') }
        ]
      })
    )
    const previous = await readPreviousManifest(file, 0)
    expect(Object.fromEntries(previous?.pins ?? [])).toEqual({
      [nid0('no-version')]: { orderId: 'o1', fileUrl: undefined }
    })
    expect(previous?.dropped).toBe(2)
  })

  test.each([
    ['a null entry', { results: [null] }],
    ['a string entry', { results: ['pinned'] }],
    ['a null earlier pin', { results: [], earlierPins: [null] }],
    ['an order ID that is an object', { results: [{ status: 'pinned', nid: nid1('a'), orderId: {} }] }],
    ['an order ID with a line break', { results: [{ status: 'pinned', nid: nid1('a'), orderId: 'o\n::x' }] }],
    ['a file URL that is not http(s)', { earlierPins: [{ nid: nid1('a'), fileUrl: 'javascript:x' }], results: [] }],
    ['a Nid that is not a CID', { results: [{ status: 'pinned', nid: 'bafy-not-a-cid' }] }],
    ['a Nid of the other version', { results: [{ status: 'pinned', nid: nid0('a') }] }]
  ])('%s is dropped and counted, never trusted', async (_name, content) => {
    const file = await writeText('m.json', JSON.stringify(content))
    expect(await readPreviousManifest(file, 1)).toEqual({ pins: new Map(), dropped: 1 })
  })

  test('a previous manifest over the size bound is refused before it is read', async () => {
    const file = path.join(dir, 'huge.json')
    await fs.writeFile(file, '')
    await fs.truncate(file, MAX_PREVIOUS_MANIFEST_BYTES + 1)
    await expect(readPreviousManifest(file, 1)).rejects.toThrow(
      `${file}: previous-manifest is ${MAX_PREVIOUS_MANIFEST_BYTES + 1} bytes, larger than`
    )
  })

  test('the first entry of a Nid wins (the order that was paid first)', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(
      file,
      manifest([
        { source: 'file', path: 'a', nid: nid1('same'), cidVersion: 1, status: 'pinned', orderId: 'first' },
        { source: 'file', path: 'b', nid: nid1('same'), cidVersion: 1, status: 'already-pinned', orderId: 'first' },
        { source: 'file', path: 'c', nid: nid1('same'), cidVersion: 1, status: 'pinned', orderId: 'second' }
      ])
    )
    expect((await readPinnedIndex(file, 1))?.get(nid1('same'))?.orderId).toBe('first')
  })

  test('an empty results array is an empty index, not undefined', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest([]))
    const index = await readPinnedIndex(file, 1)
    expect(index).toBeDefined()
    expect(index?.size).toBe(0)
  })

  test.each([
    ['not JSON', '{"results": [', /not valid JSON/],
    ['empty', '', /not valid JSON/],
    ['HTML', '<html>oops</html>', /not valid JSON/],
    ['no results array', '{"schema": "x"}', /no results array/],
    ['results not an array', '{"results": {"a": 1}}', /no results array/],
    ['JSON null', 'null', /no results array/],
    ['a JSON array', '[]', /no results array/],
    ['a JSON string', '"results"', /no results array/],
    ['earlierPins not an array', '{"results": [], "earlierPins": {"nid": "x"}}', /earlierPins is not an array/]
  ])('a corrupt previous manifest (%s) is a FileError naming the file', async (_name, text, why) => {
    const file = await writeText('bad.json', text)
    const error = await readPinnedIndex(file, 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileError)
    expect((error as FileError).file).toBe(file)
    expect((error as Error).message).toMatch(why)
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: previous-manifest is not a manifest written by this action`
      )
    )
    expect((error as Error).message).toContain('remove the input')
  })

  test('a path that cannot be read (a folder) is a FileError with the reason', async () => {
    const error = await readPinnedIndex(dir, 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileError)
    expect((error as Error).message).toBe(`${dir}: previous-manifest cannot be read (EISDIR); check the path`)
  })
})

describe('earlier pins', () => {
  const seen: EntryResult = {
    source: 'file',
    path: 'a',
    nid: nid1('seen'),
    cidVersion: 1,
    status: 'already-pinned',
    orderId: 'o1'
  }
  const previous = new Map([
    [nid1('seen'), { orderId: 'o1' }],
    [nid1('missing-tonight'), { orderId: 'o2', fileUrl: 'https://gw.example/u2' }]
  ])

  test('carryForward keeps the earlier pins no result of this run accounts for, in the index’s order', () => {
    expect(carryForward(previous, [seen], 1)).toEqual([
      { nid: nid1('missing-tonight'), cidVersion: 1, orderId: 'o2', fileUrl: 'https://gw.example/u2' }
    ])
    expect(carryForward(previous, [], 1).map(p => p.nid)).toEqual([nid1('seen'), nid1('missing-tonight')])
  })

  test('carryForward of no previous manifest, or of one fully seen again, is empty', () => {
    expect(carryForward(undefined, [seen], 1)).toEqual([])
    expect(
      carryForward(previous, [seen, { ...seen, path: 'b', nid: nid1('missing-tonight'), orderId: 'o2' }], 1)
    ).toEqual([])
  })

  test('a re-pin accounts for the earlier pin it replaces: its new order is the one kept', () => {
    const repinned: EntryResult = {
      ...seen,
      path: 'b',
      nid: nid1('missing-tonight'),
      status: 'repinned',
      orderId: 'o9'
    }
    expect(carryForward(previous, [seen, repinned], 1)).toEqual([])
  })

  /** A failed entry does not account for an earlier pin of its Nid: that pin is still carried forward. */
  test('an earlier pin whose file failed this run is still carried forward', async () => {
    const failed: EntryResult = { ...seen, status: 'failed', orderId: undefined, error: 'HTTP 503' }
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest([failed], carryForward(previous, [failed], 1)))
    expect((await readPinnedIndex(file, 1))?.get(nid1('seen'))).toEqual({ orderId: 'o1', fileUrl: undefined })
  })

  test('are written and read back with this run’s pins', async () => {
    const earlier = carryForward(previous, [seen], 1)
    const file = path.join(dir, 'm.json')
    await writeWhole(file, manifest([seen], earlier))
    expect(Object.fromEntries((await readPinnedIndex(file, 1)) ?? [])).toEqual({
      [nid1('seen')]: { orderId: 'o1', fileUrl: undefined, paths: ['a'] },
      [nid1('missing-tonight')]: { orderId: 'o2', fileUrl: 'https://gw.example/u2' }
    })
    expect((await readPinnedIndex(file, 0))?.size).toBe(0)
  })

  test('earlier pins of the other CID version, or without a Nid, are not indexed', async () => {
    const file = await writeText(
      'm.json',
      JSON.stringify({
        results: [],
        earlierPins: [
          { nid: nid0('old'), cidVersion: 0, orderId: 'o0' },
          { nid: nid1('old'), cidVersion: 1, orderId: 'o1' },
          { cidVersion: 1, orderId: 'no-nid' },
          { nid: nid1('unversioned') }
        ]
      })
    )
    expect([...((await readPinnedIndex(file, 1)) ?? []).keys()]).toEqual([nid1('old'), nid1('unversioned')])
    // Read as version 0, the unversioned entry's Nid is not a CID of the run's version: dropped.
    expect(await readPreviousManifest(file, 0)).toMatchObject({ dropped: 1 })
    expect([...((await readPinnedIndex(file, 0)) ?? []).keys()]).toEqual([nid0('old')])
  })

  test('this run’s own entry wins over an earlier pin of the same Nid', async () => {
    const file = path.join(dir, 'm.json')
    await writeWhole(
      file,
      manifest(
        [{ source: 'file', path: 'a', nid: nid1('x'), cidVersion: 1, status: 'pinned', orderId: 'new' }],
        [{ nid: nid1('x'), cidVersion: 1, orderId: 'old' }]
      )
    )
    expect((await readPinnedIndex(file, 1))?.get(nid1('x'))?.orderId).toBe('new')
  })

  test('a manifest written before earlierPins existed still reads', async () => {
    const file = await writeText(
      'm.json',
      JSON.stringify({ results: [{ status: 'pinned', nid: nid1('a'), cidVersion: 1, orderId: 'o' }] })
    )
    expect([...((await readPinnedIndex(file, 1)) ?? []).keys()]).toEqual([nid1('a')])
  })
})
