import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FileError } from '../../src/errors.js'
import { carryForward, readPinnedIndex, writeManifest, type Manifest } from '../../src/manifest.js'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'manifest-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const manifest = (results: Manifest['results'], earlierPins: Manifest['earlierPins'] = []): Manifest => ({
  schema: 'numbers-pin-action/manifest@1',
  actionVersion: '1.0.0',
  cidVersion: 1,
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

test('writes the manifest, creating folders, and reads back the pins by Nid', async () => {
  const file = path.join(dir, 'a', 'b', 'm.json')
  await writeManifest(
    file,
    manifest([
      { source: 'file', path: 'x', nid: 'bafy-pinned', cidVersion: 1, status: 'pinned', orderId: 'o1', fileUrl: 'u1' },
      { source: 'file', path: 'y', nid: 'bafy-again', cidVersion: 1, status: 'already-pinned', orderId: 'o0' },
      { source: 'file', path: 'z', nid: 'bafy-only', cidVersion: 1, status: 'nid-only' },
      { source: 'file', path: 'w', nid: 'bafy-failed', cidVersion: 1, status: 'failed', error: 'e' },
      { source: 'file', path: 'v', nid: 'Qm-v0', cidVersion: 0, status: 'pinned', orderId: 'o2' }
    ])
  )
  expect(JSON.parse(await fs.readFile(file, 'utf8')).schema).toBe('numbers-pin-action/manifest@1')
  const index = await readPinnedIndex(file, 1)
  expect(Object.fromEntries(index ?? [])).toEqual({
    'bafy-pinned': { orderId: 'o1', fileUrl: 'u1' },
    'bafy-again': { orderId: 'o0', fileUrl: undefined }
  })
})

test('a missing previous manifest is the first run: undefined, not an error', async () => {
  expect(await readPinnedIndex(path.join(dir, 'none.json'), 1)).toBeUndefined()
})

test.each([
  ['not JSON', '{"results": [', /not valid JSON/],
  ['no results', '{"schema": "x"}', /no results array/],
  ['a bad entry', '{"results": [null]}', /an entry is not an object/]
])('a corrupt previous manifest (%s) is an error naming the file', async (_name, text, message) => {
  const file = path.join(dir, 'bad.json')
  await fs.writeFile(file, text)
  const error = await readPinnedIndex(file, 1).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(FileError)
  expect((error as Error).message).toMatch(message)
  expect((error as Error).message).toContain(file)
})

test('earlier pins this run did not see are carried forward and read back', async () => {
  const previous = new Map([
    ['bafy-seen', { orderId: 'o1' }],
    ['bafy-missing-tonight', { orderId: 'o2', fileUrl: 'u2' }]
  ])
  const results: Manifest['results'] = [
    { source: 'file', path: 'a', nid: 'bafy-seen', cidVersion: 1, status: 'already-pinned', orderId: 'o1' }
  ]
  const earlier = carryForward(previous, results, 1)
  expect(earlier).toEqual([{ nid: 'bafy-missing-tonight', cidVersion: 1, orderId: 'o2', fileUrl: 'u2' }])
  const file = path.join(dir, 'm.json')
  await writeManifest(file, manifest(results, earlier))
  expect(Object.fromEntries((await readPinnedIndex(file, 1)) ?? [])).toEqual({
    'bafy-seen': { orderId: 'o1', fileUrl: undefined },
    'bafy-missing-tonight': { orderId: 'o2', fileUrl: 'u2' }
  })
  expect((await readPinnedIndex(file, 0))?.size).toBe(0)
})
