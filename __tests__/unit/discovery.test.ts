import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { anchorPattern, discoverFiles } from '../../src/discovery.js'

let root: string
let workspace: string
let outside: string

async function write(file: string, content = 'x'): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, content)
}

beforeEach(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'discovery-')))
  workspace = path.join(root, 'ws')
  outside = path.join(root, 'outside')
  await write(path.join(outside, 'secret.key'), 'SECRET')
  await write(path.join(outside, 'dir', 'inner.txt'), 'inner')
})
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

const discover = (patterns: string[], includeHiddenFiles = false) =>
  discoverFiles({ patterns, workspace, includeHiddenFiles })

test('relative patterns, `!` excludes, regular files only, sorted by path with sizes', async () => {
  await write(path.join(workspace, 'dist', 'b.tgz'), 'bb')
  await write(path.join(workspace, 'dist', 'a.tgz'), 'a')
  await write(path.join(workspace, 'dist', 'a.map'), 'map')
  await write(path.join(workspace, 'dist', 'sub', 'c.tgz'), 'ccc')
  const { files, problems } = await discover(['dist/**', '!dist/**/*.map'])
  expect(problems).toEqual([])
  expect(files).toEqual([
    { absolutePath: path.join(workspace, 'dist', 'a.tgz'), path: 'dist/a.tgz', size: 1 },
    { absolutePath: path.join(workspace, 'dist', 'b.tgz'), path: 'dist/b.tgz', size: 2 },
    { absolutePath: path.join(workspace, 'dist', 'sub', 'c.tgz'), path: 'dist/sub/c.tgz', size: 3 }
  ])
})

test('overlapping patterns list a file once; code-unit order is the same everywhere', async () => {
  for (const name of ['B.txt', 'a.txt', 'Z.txt', 'é.txt']) await write(path.join(workspace, name))
  const { files } = await discover(['*.txt', 'a.txt'])
  expect(files.map(f => f.path)).toEqual(['B.txt', 'Z.txt', 'a.txt', 'é.txt'])
})

test('hidden files below a pattern’s base are skipped and counted, unless included', async () => {
  await write(path.join(workspace, 'out', 'visible.txt'))
  await write(path.join(workspace, 'out', '.env'))
  await write(path.join(workspace, 'out', '.cache', 'blob'))
  const skipped = await discover(['out/**'])
  expect(skipped.files.map(f => f.path)).toEqual(['out/visible.txt'])
  expect(skipped.hiddenSkipped).toBe(2)
  const included = await discover(['out/**'], true)
  expect(included.files.map(f => f.path)).toEqual(['out/.cache/blob', 'out/.env', 'out/visible.txt'])
})

test('a pattern whose base is itself hidden still matches what it names', async () => {
  await write(path.join(workspace, '.github', 'workflows', 'ci.yml'))
  const { files, hiddenSkipped } = await discover(['.github/workflows/*.yml'])
  expect(files.map(f => f.path)).toEqual(['.github/workflows/ci.yml'])
  expect(hiddenSkipped).toBe(0)
})

test('awkward names and empty files', async () => {
  const names = ['with space.txt', 'ünïcødé-文件.txt', 'hash#1.txt', '100%.txt', `quote'"s.txt`, 'empty.bin']
  for (const name of names) await write(path.join(workspace, 'odd', name), name === 'empty.bin' ? '' : 'x')
  const { files } = await discover(['odd/*'])
  expect(files.map(f => f.path).sort()).toEqual(names.map(n => `odd/${n}`).sort())
  expect(files.find(f => f.path === 'odd/empty.bin')?.size).toBe(0)
})

test('10,000 small files', async () => {
  const dir = path.join(workspace, 'many')
  await fs.mkdir(dir, { recursive: true })
  const names = Array.from({ length: 10_000 }, (_, i) => `f${String(i).padStart(5, '0')}.txt`)
  for (let i = 0; i < names.length; i += 500) {
    await Promise.all(names.slice(i, i + 500).map(name => fs.writeFile(path.join(dir, name), name)))
  }
  const { files } = await discover(['many/*.txt'])
  expect(files).toHaveLength(10_000)
  expect(files[0].path).toBe('many/f00000.txt')
  expect(files[9999].path).toBe('many/f09999.txt')
})

describe('symbolic links', () => {
  test('a link to a file outside the workspace is refused, naming link and target', async () => {
    await write(path.join(workspace, 'ok.txt'))
    await fs.symlink(path.join(outside, 'secret.key'), path.join(workspace, 'innocent.txt'))
    const { files, problems } = await discover(['*.txt'])
    expect(files.map(f => f.path)).toEqual(['ok.txt'])
    expect(problems.map(p => p.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^innocent\\.txt: is a symbolic link .* to ${path.join(outside, 'secret.key')}, outside the workspace`
        )
      )
    ])
  })

  test('a linked directory that leads outside is refused too', async () => {
    await fs.mkdir(workspace, { recursive: true })
    await fs.symlink(path.join(outside, 'dir'), path.join(workspace, 'build'))
    const { files, problems } = await discover(['build/**'])
    expect(files).toEqual([])
    expect(problems[0].message).toContain(path.join(outside, 'dir', 'inner.txt'))
  })

  test('a link that stays inside the workspace is followed', async () => {
    await write(path.join(workspace, 'real', 'app.bin'), 'app')
    await fs.symlink(path.join(workspace, 'real', 'app.bin'), path.join(workspace, 'latest.bin'))
    const { files, problems } = await discover(['latest.bin'])
    expect(problems).toEqual([])
    expect(files).toEqual([{ absolutePath: path.join(workspace, 'latest.bin'), path: 'latest.bin', size: 3 }])
  })

  test('a path the author wrote outside the workspace is allowed, shown absolute', async () => {
    await fs.mkdir(workspace, { recursive: true })
    const { files, problems } = await discover([path.join(outside, 'dir', '*.txt')])
    expect(problems).toEqual([])
    expect(files.map(f => f.path)).toEqual([path.join(outside, 'dir', 'inner.txt').split(path.sep).join('/')])
  })
})

test('anchorPattern keeps negation, absolute paths, home and comments', () => {
  expect(anchorPattern('dist/*', '/ws')).toBe('/ws/dist/*')
  expect(anchorPattern('!dist/*.map', '/ws')).toBe('!/ws/dist/*.map')
  expect(anchorPattern('/abs/*', '/ws')).toBe('/abs/*')
  expect(anchorPattern('~/x', '/ws')).toBe('~/x')
  expect(anchorPattern('# note', '/ws')).toBe('# note')
  expect(anchorPattern('out/', '/ws')).toBe('/ws/out/')
})
