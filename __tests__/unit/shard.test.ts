import * as path from 'node:path'
import { Inputs } from '../../src/constants.js'
import { InputError } from '../../src/errors.js'
import { parseInputs } from '../../src/inputs/pin.js'
import {
  assignFiles,
  assignUrls,
  fingerprintOf,
  MAX_SHARDS,
  parseShard,
  selectShard,
  type SizedFile
} from '../../src/shard.js'

const quiet = { info: () => undefined }

/** A small deterministic PRNG (mulberry32), so every run sees the same "random" tree. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A release tree: a thousand files, mostly small (log-normal around 30 KiB), some MiB-sized
 * binaries, a few identical copies (same sizes), and a handful of 20-50 MiB archives.
 */
function realisticTree(seed = 7): SizedFile[] {
  const next = random(seed)
  const files: SizedFile[] = []
  for (let i = 0; i < 1000; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
    files.push({ path: `dist/pkg-${i % 37}/file-${i}.js`, size: Math.round(30 * 1024 * Math.exp(1.5 * normal)) })
  }
  for (let i = 0; i < 60; i++) files.push({ path: `dist/bin/tool-${i}`, size: Math.round((1 + next() * 9) * 2 ** 20) })
  for (let i = 0; i < 6; i++)
    files.push({ path: `dist/archives/a-${i}.tar.gz`, size: Math.round((20 + next() * 30) * 2 ** 20) })
  // Copies: the same size as their original (same content), under other names.
  for (let i = 0; i < 20; i++) files.push({ path: `dist/copies/c-${i}`, size: files[i * 50].size })
  return files
}

const bytesOf = (files: readonly SizedFile[]): number => files.reduce((sum, f) => sum + f.size, 0)

function shards(files: readonly SizedFile[], urls: readonly string[], total: number) {
  return Array.from({ length: total }, (_, i) => selectShard(files, urls, { index: i + 1, total }, quiet))
}

describe('parseShard', () => {
  test.each([
    ['1/4', { index: 1, total: 4 }],
    ['4/4', { index: 4, total: 4 }],
    ['1/1', { index: 1, total: 1 }],
    [' 2 / 4 ', { index: 2, total: 4 }],
    [`${MAX_SHARDS}/${MAX_SHARDS}`, { index: MAX_SHARDS, total: MAX_SHARDS }]
  ])('%j is %j', (text, position) => {
    expect(parseShard(text)).toEqual(position)
  })

  test.each([
    '0/4',
    '5/4',
    '2',
    'a/b',
    '1/0',
    '1/1000',
    `1/${MAX_SHARDS + 1}`,
    '-1/4',
    '1.5/4',
    '2/4/6',
    '',
    '/4',
    '1/'
  ])('%j is refused', text => {
    expect(parseShard(text)).toBeUndefined()
  })

  test('a bad shard input is refused with the inputs, before anything runs', () => {
    const read = (values: Partial<Record<Inputs, string>>) => (name: Inputs) => values[name] ?? ''
    const env = { workspace: path.resolve('/ws'), runnerTemp: path.resolve('/tmp/r') }
    const given = { [Inputs.Path]: 'dist/**', [Inputs.CaptureToken]: 't' }
    expect(parseInputs(read(given), env).shard).toBeUndefined()
    expect(parseInputs(read({ ...given, [Inputs.Shard]: '3/4' }), env).shard).toEqual({ index: 3, total: 4 })
    expect(() => parseInputs(read({ ...given, [Inputs.Shard]: '5/4' }), env)).toThrow(InputError)
    expect(() => parseInputs(read({ ...given, [Inputs.Shard]: '5/4' }), env)).toThrow(
      /Input 'shard': '5\/4' is not INDEX\/TOTAL.*INDEX from 1 to TOTAL.*matrix\.shard/
    )
  })
})

describe('partition', () => {
  const tree = realisticTree()
  const urls = Array.from({ length: 9 }, (_, i) => `https://example.com/u${i}.bin`)

  test.each([1, 2, 3, 4, 8, 16])('%i shards are disjoint and cover every file and URL once', total => {
    const slices = shards(tree, urls, total)
    const files = slices.flatMap(s => s.files.map(f => f.path))
    expect(files).toHaveLength(tree.length)
    expect(new Set(files).size).toBe(tree.length)
    expect(slices.flatMap(s => s.urls).sort()).toEqual([...urls].sort())
  })

  test('a slice keeps the input order', () => {
    const [first] = shards(tree, urls, 4)
    const positions = first.files.map(f => tree.indexOf(f))
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
  })

  test('deterministic: the same list in any order gives every file the same shard', () => {
    const shuffled = [...tree].reverse()
    const next = random(3)
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
    }
    const shardByPath = (files: SizedFile[]): Map<string, number> => {
      const assigned = assignFiles(files, 4)
      return new Map(files.map((f, i) => [f.path, assigned[i]]))
    }
    expect(shardByPath(shuffled)).toEqual(shardByPath(tree))
    expect(assignFiles(tree, 4)).toEqual(assignFiles(tree, 4))
  })

  test.each([2, 3, 4, 8])('%i shards of a realistic tree each hold within 25%% of the mean bytes', total => {
    const mean = bytesOf(tree) / total
    for (const slice of shards(tree, [], total)) {
      expect(Math.abs(bytesOf(slice.files) - mean) / mean).toBeLessThan(0.25)
    }
  })

  test('files of one size (identical content has one size) share a shard, so no content is pinned twice', () => {
    const assigned = assignFiles(tree, 4)
    const bySize = new Map<number, Set<number>>()
    tree.forEach((f, i) => bySize.set(f.size, (bySize.get(f.size) ?? new Set()).add(assigned[i])))
    for (const shardsOfSize of bySize.values()) expect(shardsOfSize.size).toBe(1)
  })

  test('one 1 GiB file and a thousand small ones: the big one is alone, the rest balanced over the others', () => {
    const small = realisticTree().slice(0, 1000)
    const files = [...small, { path: 'dist/huge.iso', size: 2 ** 30 }]
    const slices = shards(files, [], 4)
    const huge = slices.find(s => s.files.some(f => f.path === 'dist/huge.iso'))!
    expect(huge.files).toHaveLength(1)
    const others = slices.filter(s => s !== huge)
    const mean = bytesOf(small) / others.length
    for (const slice of others) expect(Math.abs(bytesOf(slice.files) - mean) / mean).toBeLessThan(0.25)
  })

  test('more shards than files: the extra shards are empty, not an error', () => {
    const slices = shards([{ path: 'a', size: 1 }], ['https://example.com/x'], 4)
    expect(slices.map(s => s.files.length + s.urls.length)).toEqual([2, 0, 0, 0])
    expect(new Set(slices.map(s => s.record?.fingerprint.sha256)).size).toBe(1)
  })

  test('URLs: round-robin over the sorted distinct URLs; a URL listed twice stays in one shard', () => {
    const list = ['https://e.com/c', 'https://e.com/a', 'https://e.com/b', 'https://e.com/a', 'https://e.com/d']
    expect(assignUrls(list, 2)).toEqual([1, 1, 2, 1, 2])
    expect(assignUrls(list, 1)).toEqual([1, 1, 1, 1, 1])
  })

  test('without a shard every entry is selected and nothing is recorded', () => {
    const slice = selectShard(tree, urls, undefined, quiet)
    expect(slice.files).toEqual(tree)
    expect(slice.urls).toEqual(urls)
    expect(slice.record).toBeUndefined()
  })

  test('each slice records its place and the whole set, and says so in the log', () => {
    const lines: string[] = []
    const slice = selectShard(tree, urls, { index: 2, total: 4 }, { info: m => lines.push(m) })
    expect(slice.record).toEqual({ shard: { index: 2, total: 4 }, fingerprint: fingerprintOf(tree, urls) })
    expect(lines).toEqual([
      expect.stringMatching(/^Shard 2\/4: \d+ of 1086 files \(.+ of .+\) and \d of 9 URLs; set [0-9a-f]{12}$/)
    ])
  })
})

describe('fingerprintOf', () => {
  const files = [
    { path: 'a', size: 1 },
    { path: 'b', size: 2 }
  ]
  test('is the count and sha256 of the sorted list, whatever the input order', () => {
    const fingerprint = fingerprintOf(files, ['https://e.com/x'])
    expect(fingerprint).toEqual({ count: 3, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(fingerprintOf([...files].reverse(), ['https://e.com/x'])).toEqual(fingerprint)
  })
  test('changes with any path, size or URL, and cannot be forged by a path holding a newline', () => {
    const base = fingerprintOf(files, []).sha256
    expect(fingerprintOf([files[0], { path: 'b', size: 3 }], []).sha256).not.toBe(base)
    expect(fingerprintOf([files[0], { path: 'c', size: 2 }], []).sha256).not.toBe(base)
    expect(fingerprintOf(files, ['https://e.com/x']).sha256).not.toBe(base)
    const joined = fingerprintOf([{ path: 'a",1]\n["file","b', size: 2 }], [])
    expect(joined.sha256).not.toBe(base)
  })
})
