/**
 * The bundled action run as the runner runs it, with nothing sent anywhere: `pin: false` and local
 * Nids (the fork pull-request case), on every Node runtime the bundle must support.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import vectors from '../../__fixtures__/cid-vectors.json' with { type: 'json' }
import { errorLines, machineNode, node24, runAction, runtimes } from '../helpers/run-action.js'

const small = vectors.vectors.filter(v => v.size <= 2 * 2 ** 20)

function bytesOf(vector: (typeof vectors.vectors)[number]): Buffer {
  if (vector.name === 'hello') return Buffer.from('hello world\n')
  const modulus = vector.byteModulus ?? 256
  return Buffer.from(Array.from({ length: vector.size }, (_, i) => i % modulus))
}

let workspace: string
beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-local-'))
  await fs.mkdir(path.join(workspace, 'out'))
  for (const vector of small) await fs.writeFile(path.join(workspace, 'out', `${vector.name}.bin`), bytesOf(vector))
})
afterAll(async () => {
  await fs.rm(workspace, { recursive: true, force: true })
})

test('the bundle is tested on this machine’s Node and on Node 24, the runner’s', () => {
  expect(node24()?.version).toMatch(/^v24\./)
  const machine = machineNode()
  expect(machine).toBeDefined()
  expect(runtimes().map(r => r.version)).toEqual([...new Set([machine?.version, node24()?.version])])
})

describe.each(runtimes().map(r => [r.version, r.node]))('on Node %s', (_version, node) => {
  test('local Nids of every vector, with no token and no request', async () => {
    const run = await runAction({ node, workspace, inputs: { path: 'out/*.bin', pin: 'false' } })
    expect(run.code).toBe(0)
    const results = JSON.parse(run.outputs.results) as { path: string; nid: string; sha256: string; status: string }[]
    const expected = [...small].sort((a, b) => (a.name < b.name ? -1 : 1))
    expect(results.map(r => r.path)).toEqual(expected.map(v => `out/${v.name}.bin`))
    expect(results.map(r => r.nid)).toEqual(expected.map(v => v.cidV1))
    expect(results.map(r => r.sha256)).toEqual(expected.map(v => v.sha256))
    expect(results.every(r => r.status === 'nid-only')).toBe(true)
    expect(JSON.parse(run.outputs.nids)).toEqual(expected.map(v => v.cidV1))
    expect(JSON.parse(run.outputs['order-ids'])).toEqual([])
    expect(run.outputs.count).toBe(String(small.length))
    expect(run.outputs['pinned-count']).toBe('0')
    expect(run.outputs['failed-count']).toBe('0')
    expect(run.outputs.nid).toBe('')

    const manifest = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8'))
    expect(run.outputs.manifest).toBe(path.join(run.temp, 'numbers-manifest.json'))
    expect(manifest).toMatchObject({
      schema: 'numbers-pin-action/manifest@1',
      cidVersion: 1,
      complete: true,
      provenance: {
        repository: 'numbers-test/artifacts',
        sha: '0123456789abcdef0123456789abcdef01234567',
        ref: 'refs/heads/main',
        workflow: 'release',
        runId: 4242,
        runUrl: 'https://github.com/numbers-test/artifacts/actions/runs/4242'
      }
    })
    expect(manifest.results).toEqual(results)

    const checksums = await fs.readFile(run.outputs.checksums, 'utf8')
    expect(checksums).toBe(expected.map(v => `${v.sha256}  out/${v.name}.bin\n`).join(''))
    expect(run.summary).toContain('Numbers Protocol: IPFS Nids and pins')
    const hello = vectors.vectors[1].cidV1
    expect(run.summary).toContain(
      `| out/hello.bin | 12\u00a0B | <code title="${hello}">${hello.slice(0, 7)}\u2060…\u2060${hello.slice(-4)}</code> | 🔖\u00a0Nid\u00a0only |`
    )
    expect(run.summary).not.toMatch(/Order ID|NUM per month/)
  })

  test('cid-version 0 gives Kubo plain `ipfs add` CIDs, and one file sets `nid`', async () => {
    const run = await runAction({
      node,
      workspace,
      inputs: { path: 'out/one-chunk.bin', pin: 'false', 'cid-version': '0' }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.nid).toBe(vectors.vectors.find(v => v.name === 'one-chunk')?.cidV0)
  })

  test('bad inputs stop the run with one ::error:: naming each input, before anything else', async () => {
    const run = await runAction({
      node,
      workspace,
      inputs: { path: 'out/*.bin', pin: 'yes', 'cid-version': '2', concurrency: '0', 'max-file-size': 'big' }
    })
    expect(run.code).toBe(1)
    const errors = errorLines(run)
    expect(errors).toHaveLength(1)
    for (const input of ['pin', 'cid-version', 'concurrency', 'max-file-size'])
      expect(errors[0]).toContain(`Input '${input}'`)
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(run.outputs).toEqual({})
  })
})

describe('file discovery through the bundle', () => {
  test('if-no-files-found: error fails, warn warns, ignore passes quietly', async () => {
    const inputs = { path: 'nothing/**', pin: 'false' }
    const error = await runAction({ workspace, inputs })
    expect(error.code).toBe(1)
    expect(errorLines(error)[0]).toContain('No files were found with the provided path: nothing/**')
    const warn = await runAction({ workspace, inputs: { ...inputs, 'if-no-files-found': 'warn' } })
    expect(warn.code).toBe(0)
    expect(warn.stdout).toMatch(/::warning::No files were found/)
    expect(warn.outputs.count).toBe('0')
    const ignore = await runAction({ workspace, inputs: { ...inputs, 'if-no-files-found': 'ignore' } })
    expect(ignore.code).toBe(0)
    expect(ignore.stdout).not.toMatch(/::warning::/)
  })

  test('a link to a file outside the workspace is refused, naming link and target', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-outside-'))
    const secret = path.join(outside, 'id_rsa')
    await fs.writeFile(secret, 'PRIVATE KEY')
    const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-links-'))
    await fs.writeFile(path.join(ws, 'ok.txt'), 'ok')
    await fs.symlink(secret, path.join(ws, 'innocent.txt'))
    const run = await runAction({ workspace: ws, inputs: { path: '*.txt', pin: 'false' } })
    expect(run.code).toBe(1)
    expect(errorLines(run)[0]).toContain('innocent.txt')
    expect(errorLines(run)[0]).toContain(await fs.realpath(secret))
    expect(run.outputs).toEqual({})
    await fs.rm(outside, { recursive: true })
    await fs.rm(ws, { recursive: true })
  })
})

test('10,000 small files in one run', async () => {
  const ws = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-many-'))
  const names = Array.from({ length: 10_000 }, (_, i) => `f${String(i).padStart(5, '0')}.txt`)
  for (let i = 0; i < names.length; i += 500) {
    await Promise.all(names.slice(i, i + 500).map(name => fs.writeFile(path.join(ws, name), name)))
  }
  try {
    const run = await runAction({ workspace: ws, inputs: { path: '*.txt', pin: 'false', concurrency: '16' } })
    expect(run.code).toBe(0)
    expect(run.outputs.count).toBe('10000')
    // The outputs hold what fits GitHub's limit (see scale.test.ts); the manifest holds every entry.
    const { results } = JSON.parse(await fs.readFile(run.outputs.manifest, 'utf8')) as {
      results: { path: string; nid: string }[]
    }
    expect(results[0].path).toBe('f00000.txt')
    expect(new Set(results.map(r => r.nid)).size).toBe(10_000)
    await fs.rm(run.temp, { recursive: true, force: true })
  } finally {
    await fs.rm(ws, { recursive: true, force: true })
  }
})
