/**
 * The merge sub-action's modules: a manifest checked field by field (hostile input), a shard's
 * manifest read with a byte cap, and the set of shards checked and merged.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parse } from 'yaml'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { MERGE_INPUTS, MergeInputs, Outputs } from '../../src/constants.js'
import { InputError, PreflightError } from '../../src/errors.js'
import { parseMergeInputs } from '../../src/inputs/merge.js'
import type { EarlierPin, Manifest } from '../../src/manifest.js'
import { parseManifest, SchemaError } from '../../src/manifest-schema.js'
import { mergeShards } from '../../src/merge/combine.js'
import { MAX_MANIFEST_BYTES, readShardManifest, type ShardFile, type ShardManifest } from '../../src/merge/read.js'
import { assignFiles, fingerprintOf, type SizedFile } from '../../src/shard.js'
import type { EntryResult } from '../../src/types.js'

const nids = Object.fromEntries(vectors.vectors.map(v => [v.name, v])) as Record<string, (typeof vectors.vectors)[0]>
const GATEWAY = 'https://gw.example/ipfs/'

const base = (results: EntryResult[], earlierPins: EarlierPin[] = []): Manifest => ({
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
    runId: 7,
    runAttempt: 1,
    runUrl: 'https://github.com/o/r/actions/runs/7',
    event: 'push',
    actor: 'me'
  },
  results,
  earlierPins
})

const pinned = (p: string, vector: string, orderId = `order-${p}`): EntryResult => ({
  source: 'file',
  path: p,
  size: nids[vector].size,
  sha256: nids[vector].sha256,
  nid: nids[vector].cidV1,
  cidVersion: 1,
  status: 'pinned',
  orderId,
  fileUrl: `https://ipfs.example/${nids[vector].cidV1}`,
  gatewayUrl: `https://old.example/${nids[vector].cidV1}`
})

describe('parseManifest', () => {
  const good = base([pinned('dist/hello.txt', 'hello')], [{ nid: nids.empty.cidV1, cidVersion: 1, orderId: 'o0' }])

  test('keeps every known field of a manifest this action wrote, but not its gateway links', () => {
    const parsed = parseManifest(JSON.parse(JSON.stringify(good)))
    const entry = { ...good.results[0] }
    delete entry.gatewayUrl
    expect(parsed).toEqual({ ...good, results: [entry] })
  })

  test('a repinned entry is read as such', () => {
    const repinned = { ...good.results[0], status: 'repinned' as const }
    expect(parseManifest(JSON.parse(JSON.stringify({ ...good, results: [repinned] }))).results[0].status).toBe(
      'repinned'
    )
  })

  test('drops fields it does not know', () => {
    const data = { ...good, extra: 'x', results: [{ ...good.results[0], html: '<script>' }] }
    const parsed = parseManifest(data) as unknown as Record<string, unknown>
    expect(parsed.extra).toBeUndefined()
    expect(JSON.stringify(parsed)).not.toContain('script')
  })

  const entry = good.results[0]
  test.each<[string, unknown, RegExp]>([
    ['not an object', [], /the manifest is not an object/],
    ['another schema', { ...good, schema: 'x@2' }, /schema is not numbers-pin-action\/manifest@1/],
    ['a CID version 2', { ...good, cidVersion: 2 }, /cidVersion is not one of 0, 1/],
    ['no results', { ...good, results: undefined }, /results is not an array/],
    ['an entry not an object', { ...good, results: [null] }, /results\[0\] is not an object/],
    ['an unknown source', { ...good, results: [{ ...entry, source: 'ftp' }] }, /results\[0\]\.source/],
    ['a file without a path', { ...good, results: [{ ...entry, path: 3 }] }, /results\[0\]\.path is not a string/],
    ['a path too long', { ...good, results: [{ ...entry, path: 'a'.repeat(5000) }] }, /longer than 4096/],
    ['a negative size', { ...good, results: [{ ...entry, size: -1 }] }, /results\[0\]\.size is not a whole number/],
    ['a fractional size', { ...good, results: [{ ...entry, size: 1.5 }] }, /size is not a whole number/],
    ['a size as a string', { ...good, results: [{ ...entry, size: '12' }] }, /size is not a whole number/],
    ['a sha256 of other length', { ...good, results: [{ ...entry, sha256: 'abc' }] }, /sha256 is not a sha256/],
    ['a Nid that is not a CID', { ...good, results: [{ ...entry, nid: 'bafy-not' }] }, /nid is not a CID/],
    ['a CIDv0 in a CIDv1 manifest', { ...good, results: [{ ...entry, nid: nids.hello.cidV0 }] }, /not a CIDv1 Nid/],
    [
      'a CIDv1 in another base',
      { ...good, results: [{ ...entry, nid: 'zb2rhkSDgRE1TYmVMGRMSELWx3RygMHeAnktwSdAtoafqe3dZ' }] },
      /not a CIDv1 Nid/
    ],
    [
      'an entry of another version',
      { ...good, results: [{ ...entry, cidVersion: 0 }] },
      /is not the manifest's cidVersion/
    ],
    ['an unknown status', { ...good, results: [{ ...entry, status: 'maybe' }] }, /status is not one of/],
    ['a pinned entry without a Nid', { ...good, results: [{ ...entry, nid: undefined }] }, /is pinned but has no nid/],
    [
      'a failed entry without an error',
      { ...good, results: [{ ...entry, status: 'failed' }] },
      /failed but has no error/
    ],
    [
      'a javascript: file URL',
      { ...good, results: [{ ...entry, fileUrl: 'javascript:alert(1)' }] },
      /not an http\(s\) URL/
    ],
    ['an orderId as a number', { ...good, results: [{ ...entry, orderId: 5 }] }, /orderId is not a string/],
    [
      'a URL entry with a file: URL',
      { ...good, results: [{ source: 'url', url: 'file:///etc/passwd' }] },
      /url is not an http/
    ],
    ['a bad date', { ...good, startedAt: 'yesterday' }, /startedAt is not a date/],
    ['complete as a string', { ...good, complete: 'true' }, /complete is not one of/],
    ['a run ID as a string', { ...good, provenance: { ...good.provenance, runId: '7' } }, /provenance\.runId/],
    [
      'an earlier pin with a bad Nid',
      { ...good, earlierPins: [{ nid: 'Qm', cidVersion: 1 }] },
      /earlierPins\[0\]\.nid/
    ],
    [
      'a shard past its total',
      { ...good, shard: { index: 5, total: 4 } },
      /shard\.index is not a whole number from 1 to 4/
    ],
    ['a shard total over the maximum', { ...good, shard: { index: 1, total: 1000 } }, /shard\.total/],
    ['a fingerprint of another shape', { ...good, fingerprint: { count: 1, sha256: 'x' } }, /fingerprint\.sha256/]
  ])('refuses %s', (_what, data, message) => {
    expect(() => parseManifest(data)).toThrow(SchemaError)
    expect(() => parseManifest(data)).toThrow(message)
  })
})

describe('readShardManifest', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'merge-read-'))
  })
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })
  const write = async (name: string, content: string | object): Promise<string> => {
    const file = path.join(dir, name)
    await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
    return file
  }
  const shardFields = { shard: { index: 1, total: 2 }, fingerprint: { count: 1, sha256: 'a'.repeat(64) } }

  test('reads a shard manifest', async () => {
    const file = await write('m.json', { ...base([pinned('a', 'hello')]), ...shardFields })
    const shard = await readShardManifest(file, 'shards/1/m.json')
    expect(shard.path).toBe('shards/1/m.json')
    expect(shard.manifest).toMatchObject(shardFields)
  })

  test.each<[string, string | object, RegExp]>([
    ['a manifest without a shard', base([]), /records no shard: set the pin step's 'shard' input/],
    [
      'a merged manifest',
      { ...base([]), fingerprint: shardFields.fingerprint, shards: 2 },
      /a merged manifest of 2 shards/
    ],
    ['invalid JSON', '{"schema":', /not valid JSON/],
    [
      'more entries than its set',
      { ...base([pinned('a', 'hello'), pinned('b', 'empty')]), ...shardFields },
      /lists 2 entries, more than its set's 1/
    ],
    ['a bad field', { ...base([]), ...shardFields, complete: 1 }, /complete is not one of true, false/]
  ])('refuses %s, naming the file', async (_what, content, message) => {
    const file = await write('m.json', content)
    await expect(readShardManifest(file, 'shards/1/m.json')).rejects.toThrow(message)
    await expect(readShardManifest(file, 'shards/1/m.json')).rejects.toThrow(
      /^shards\/1\/m\.json: is not a shard manifest/
    )
  })

  test('refuses invalid UTF-8 as such', async () => {
    const file = path.join(dir, 'bad.json')
    await fs.writeFile(file, Buffer.from([0x22, 0xc3, 0x28, 0x22]))
    await expect(readShardManifest(file, 'bad.json')).rejects.toThrow(/not UTF-8 text/)
  })

  test(`refuses a file over ${MAX_MANIFEST_BYTES} bytes without reading it all`, async () => {
    const file = path.join(dir, 'huge.json')
    await fs.writeFile(file, '')
    await fs.truncate(file, MAX_MANIFEST_BYTES + 1)
    await expect(readShardManifest(file, 'huge.json')).rejects.toThrow(/more than 67108864 bytes/)
  })

  test('a missing file is a read error that says what to check', async () => {
    await expect(readShardManifest(path.join(dir, 'none.json'), 'none.json')).rejects.toThrow(
      /none\.json: cannot be read \(ENOENT\)/
    )
  })
})

describe('mergeShards', () => {
  const tree: SizedFile[] = [
    { path: 'dist/a.bin', size: nids['one-chunk'].size },
    { path: 'dist/b.bin', size: nids['two-chunks'].size },
    { path: 'dist/empty', size: 0 },
    { path: 'dist/hello.txt', size: 12 }
  ]
  const vectorOf: Record<string, string> = {
    'dist/a.bin': 'one-chunk',
    'dist/b.bin': 'two-chunks',
    'dist/empty': 'empty',
    'dist/hello.txt': 'hello'
  }
  const urls = ['https://files.example/u.bin']
  const fingerprint = fingerprintOf(tree, urls)
  const assigned = assignFiles(tree, 2)
  const urlEntry: EntryResult = {
    source: 'url',
    url: urls[0],
    size: 12,
    nid: nids.hello.cidV1,
    cidVersion: 1,
    status: 'already-pinned',
    orderId: 'order-url'
  }

  /** The manifests two shards of one run would write (the URL goes to shard 1). */
  function twoShards(change: (index: number, m: ShardManifest) => ShardManifest = (_i, m) => m): ShardFile[] {
    return [1, 2].map(index => {
      const results = tree.filter((_, i) => assigned[i] === index).map(f => pinned(f.path, vectorOf[f.path]))
      const manifest: ShardManifest = {
        ...base(index === 1 ? [...results, urlEntry] : results),
        shard: { index, total: 2 },
        fingerprint
      }
      return { path: `shards/${index}/numbers-manifest.json`, manifest: change(index, manifest) }
    })
  }

  test('merges every entry, files by path then URLs, with links through the given gateway', () => {
    const merged = mergeShards(twoShards(), GATEWAY)
    expect(merged.results.map(r => r.path ?? r.url)).toEqual([...tree.map(f => f.path), ...urls])
    expect(merged.results.every(r => r.gatewayUrl === `${GATEWAY}${r.nid}`)).toBe(true)
    const repinned = mergeShards(
      twoShards((_i, m) => ({ ...m, results: m.results.map(r => ({ ...r, status: 'repinned' as const })) })),
      GATEWAY
    )
    expect(repinned.results.every(r => r.gatewayUrl === `${GATEWAY}${r.nid}`)).toBe(true)
    expect(merged).toMatchObject({
      complete: true,
      incomplete: [],
      cidVersion: 1,
      sharding: { fingerprint, shards: 2 }
    })
  })

  test('the earliest shard start is the run start; earlier pins of every shard are kept once', () => {
    const shards = twoShards((index, m) => ({
      ...m,
      startedAt: index === 2 ? '2026-11-22T23:59:00.000Z' : m.startedAt,
      earlierPins: [
        { nid: nids['two-levels'].cidV1, cidVersion: 1, orderId: 'old' },
        { nid: nids['one-mebibyte'].cidV1, cidVersion: 1, orderId: `old-${index}` }
      ]
    }))
    const merged = mergeShards(shards, GATEWAY)
    expect(merged.startedAt).toBe('2026-11-22T23:59:00.000Z')
    expect([...merged.earlier]).toEqual([
      [nids['two-levels'].cidV1, { orderId: 'old', fileUrl: undefined }],
      [nids['one-mebibyte'].cidV1, { orderId: 'old-1', fileUrl: undefined }]
    ])
  })

  const refusal = (shards: ShardFile[]): string => {
    try {
      mergeShards(shards, GATEWAY)
    } catch (error) {
      expect(error instanceof InputError || error instanceof PreflightError).toBe(true)
      return (error as Error).message
    }
    throw new Error('expected a refusal')
  }

  test('a missing shard is named', () => {
    expect(refusal(twoShards().slice(1))).toMatch(/^Input 'manifests': shard 1\/2 missing: /)
  })

  test('a shard given twice is named with both files', () => {
    const [one, two] = twoShards()
    expect(refusal([one, two, { ...two, path: 'copy/numbers-manifest.json' }])).toMatch(
      /shard 2\/2 twice: shards\/2\/numbers-manifest\.json and copy\/numbers-manifest\.json; .*merge-multiple: false/
    )
  })

  test('a shard of another file set, another total, another CID version or another run is refused', () => {
    const other = { count: 4, sha256: 'f'.repeat(64) }
    expect(refusal(twoShards((i, m) => (i === 2 ? { ...m, fingerprint: other } : m)))).toMatch(
      /shards\/2\/numbers-manifest\.json is a shard of another run or file set \(set ffffffffffff of 4 entries, but .* has set [0-9a-f]{12} of 5 entries\)/
    )
    expect(refusal(twoShards((i, m) => (i === 2 ? { ...m, shard: { index: 2, total: 3 } } : m)))).toMatch(
      /is shard 2\/3, but .* is 1\/2; every shard job must give the same TOTAL/
    )
    expect(refusal(twoShards((i, m) => (i === 2 ? { ...m, provenance: { ...m.provenance, runId: 8 } } : m)))).toMatch(
      /is from run 8 of 'o\/r', but .* from run 7/
    )
    expect(refusal(twoShards((i, m) => (i === 2 ? { ...m, cidVersion: 0, results: [] } : m)))).toMatch(
      /has cidVersion 0/
    )
  })

  test('the odd one out is named, whichever file sorts first', () => {
    const [one, two] = twoShards()
    const foreign = {
      ...one,
      path: 'a-first/numbers-manifest.json',
      manifest: { ...one.manifest, fingerprint: { count: 5, sha256: 'e'.repeat(64) } }
    }
    const third = { ...two, path: 'z/numbers-manifest.json' }
    expect(refusal([foreign, one, third])).toMatch(
      /^Input 'manifests': a-first\/numbers-manifest\.json is a shard of another run/
    )
  })

  test('every problem is listed at once', () => {
    const message = refusal(
      twoShards()
        .slice(0, 1)
        .map(s => ({ ...s, manifest: { ...s.manifest, shard: { index: 1, total: 3 } } }))
    )
    expect(message).toMatch(
      /^2 problems with the shard manifests:\n {2}- .*shard 2\/3 missing.*\n {2}- .*shard 3\/3 missing/
    )
  })

  test('entries that do not add up to the set are refused: lost, added or listed twice', () => {
    const lost = twoShards((i, m) => (i === 1 ? { ...m, results: m.results.slice(1) } : m))
    expect(refusal(lost)).toMatch(/the shards' 4 entries are not the set [0-9a-f]{12} of 5 entries/)
    const twice = twoShards((i, m) => (i === 2 ? { ...m, results: [...m.results, m.results[0]] } : m))
    expect(refusal(twice)).toMatch(/the shards' 6 entries are not the set/)
  })

  test('a cancelled shard is merged as it is, and the merge is incomplete', () => {
    const merged = mergeShards(
      twoShards((i, m) => (i === 2 ? { ...m, complete: false, results: m.results.slice(1) } : m)),
      GATEWAY
    )
    expect(merged).toMatchObject({ complete: false, incomplete: ['2/2'] })
  })

  test('failed entries are kept, without links', () => {
    const failed: EntryResult = {
      source: 'file',
      path: 'dist/hello.txt',
      size: 12,
      cidVersion: 1,
      status: 'failed',
      error: 'x'
    }
    const merged = mergeShards(
      twoShards((_i, m) => ({ ...m, results: m.results.map(r => (r.path === 'dist/hello.txt' ? failed : r)) })),
      GATEWAY
    )
    expect(merged.results.find(r => r.path === 'dist/hello.txt')).toEqual(failed)
  })
})

describe('merge/action.yml and its inputs', () => {
  const root = path.resolve(import.meta.dirname, '..', '..')
  const env = { workspace: path.resolve('/ws'), runnerTemp: path.resolve('/tmp/r') }

  test('declares exactly the inputs parseMergeInputs reads, and the outputs of the pin action', async () => {
    const yml = parse(await fs.readFile(path.join(root, 'merge', 'action.yml'), 'utf8'))
    const pin = parse(await fs.readFile(path.join(root, 'action.yml'), 'utf8'))
    expect(Object.keys(yml.inputs)).toEqual([...MERGE_INPUTS])
    const read = new Set<string>()
    parseMergeInputs(name => {
      read.add(name)
      return name === MergeInputs.Manifests ? 'shards/*/m.json' : ''
    }, env)
    expect([...read].sort()).toEqual([...MERGE_INPUTS].sort())
    expect(Object.keys(yml.outputs)).toEqual(Object.values(Outputs))
    expect(Object.keys(yml.outputs)).toEqual(Object.keys(pin.outputs))
    for (const name of MERGE_INPUTS.filter(n => n !== MergeInputs.Manifests)) {
      expect([name, yml.inputs[name].default]).toEqual([name, pin.inputs[name].default])
    }
    expect(yml.runs).toEqual({ using: 'node24', main: '../dist/merge/index.js' })
  })

  test('manifests is required; the report inputs are read as the pin action reads them', () => {
    const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''
    const values = { 'manifest-path': 'out/merged.json', 'gateway-url': 'https://gw.example/ipfs' }
    expect(() => parseMergeInputs(reader(values), env)).toThrow(/Input 'manifests': is empty/)
    const inputs = parseMergeInputs(reader({ ...values, manifests: 'a/*.json\n b/*.json ' }), env)
    expect(inputs).toMatchObject({
      patterns: ['a/*.json', 'b/*.json'],
      manifestPath: path.join(env.workspace, 'out', 'merged.json'),
      gatewayUrl: 'https://gw.example/ipfs/',
      showSummary: true,
      prComment: false,
      checksumsPath: path.join(env.runnerTemp, 'numbers-checksums.txt')
    })
    expect(() => parseMergeInputs(reader({ manifests: 'x', 'pr-comment': 'true' }), env)).toThrow(
      /Input 'github-token': is empty, but pr-comment is true/
    )
  })
})
