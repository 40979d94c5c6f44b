import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { anchorPattern, discoverFiles, type Discovery, type LocalFile } from '../../src/discovery.js'
import { hasUnsafeCharacters, safeName } from '../../src/discovery/names.js'
import { MatchKind, parsePatterns } from '../../src/discovery/pattern.js'
import { nodeFileSystem, type FileSystem } from '../../src/discovery/walk.js'
import { FileError } from '../../src/errors.js'

let root: string
let workspace: string
let outside: string

const posix = (p: string): string => p.split(path.sep).join('/')

async function write(file: string, content: string | Buffer = 'x'): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, content)
}
const ws = (...segments: string[]): string => path.join(workspace, ...segments)

beforeEach(async () => {
  // realpath: the temp folder may itself be reached through a link (macOS /var → /private/var).
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'discovery-')))
  workspace = path.join(root, 'ws')
  outside = path.join(root, 'outside')
  await fs.mkdir(workspace, { recursive: true })
  await write(path.join(outside, 'secret.key'), 'SECRET')
  await write(path.join(outside, 'dir', 'inner.txt'), 'inner')
})
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

/**
 * Discovery with its files as these tests compare them: path, absolute path and size. Each file's
 * identity (real path, device, inode) is checked once, in its own test.
 */
type Compared = Omit<Discovery, 'files'> & { files: LocalFile[] }
const discover = async (patterns: string[], includeHiddenFiles = false): Promise<Compared> => {
  const discovery = await discoverFiles({ patterns, workspace, includeHiddenFiles })
  return { ...discovery, files: discovery.files.map(withoutIdentity) }
}
const withoutIdentity = ({ absolutePath, path, size }: LocalFile): LocalFile =>
  ({ absolutePath, path, size }) as LocalFile
const pathsOf = (discovery: { files: readonly LocalFile[] }): string[] => discovery.files.map(f => f.path)

describe('patterns', () => {
  test('are relative to the workspace, not the working directory', async () => {
    await write(ws('dist', 'b.tgz'), 'bb')
    await write(ws('dist', 'a.tgz'), 'a')
    expect(process.cwd()).not.toBe(workspace)
    const { files, problems, hidden } = await discover(['dist/*.tgz'])
    expect(problems).toEqual([])
    expect(hidden).toEqual([])
    expect(files).toEqual([
      { absolutePath: ws('dist', 'a.tgz'), path: 'dist/a.tgz', size: 1 },
      { absolutePath: ws('dist', 'b.tgz'), path: 'dist/b.tgz', size: 2 }
    ])
  })

  test('`./` prefixes are normalised away', async () => {
    await write(ws('dist', 'a.tgz'))
    expect(pathsOf(await discover(['./dist/./a.tgz']))).toEqual(['dist/a.tgz'])
  })

  test('`!` lines exclude files and whole folders', async () => {
    await write(ws('dist', 'a.tgz'), 'a')
    await write(ws('dist', 'a.map'), 'map')
    await write(ws('dist', 'sub', 'c.tgz'), 'ccc')
    await write(ws('dist', 'sub', 'c.map'), 'cc')
    await write(ws('dist', 'tmp', 'scratch.tgz'))
    const discovery = await discover(['dist/**', '!dist/**/*.map', '!dist/tmp'])
    expect(discovery.files).toEqual([
      { absolutePath: ws('dist', 'a.tgz'), path: 'dist/a.tgz', size: 1 },
      { absolutePath: ws('dist', 'sub', 'c.tgz'), path: 'dist/sub/c.tgz', size: 3 }
    ])
  })

  test('a later pattern can include again what an earlier `!` excluded', async () => {
    await write(ws('dist', 'a.map'))
    await write(ws('dist', 'keep.map'))
    expect(pathsOf(await discover(['dist/**', '!dist/*.map', 'dist/keep.map']))).toEqual(['dist/keep.map'])
  })

  test('a pattern naming one file, and a pattern naming a folder (all files below it)', async () => {
    await write(ws('out', 'one.bin'))
    await write(ws('out', 'deep', 'er', 'two.bin'))
    expect(pathsOf(await discover(['out/one.bin']))).toEqual(['out/one.bin'])
    expect(pathsOf(await discover(['out']))).toEqual(['out/deep/er/two.bin', 'out/one.bin'])
  })

  test('patterns matching nothing give an empty, problem-free result', async () => {
    expect(await discover(['nothing/**', 'missing.txt'])).toEqual({ files: [], hidden: [], excluded: [], problems: [] })
  })

  test('overlapping patterns list each file once', async () => {
    await write(ws('a.txt'))
    await write(ws('sub', 'b.txt'))
    const { files } = await discover(['*.txt', 'a.txt', '**/*.txt', 'sub/**'])
    expect(files.map(f => f.path)).toEqual(['a.txt', 'sub/b.txt'])
  })
})

test('results are sorted by path in code-unit order (the same on every runner and locale)', async () => {
  const names = ['b.txt', 'B.txt', 'a.txt', 'Z.txt', 'é.txt', '_.txt', '10.txt', '9.txt', 'a-b.txt', 'a.b.txt']
  for (const name of names) await write(ws('s', name))
  await write(ws('s', 'a', 'z.txt'))
  const { files } = await discover(['s/**'])
  const expected = [...names.map(n => `s/${n}`), 's/a/z.txt'].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  expect(files.map(f => f.path)).toEqual(expected)
  // Spelled out, so a change to locale-aware sorting is caught: upper case, digits and '_' by code unit.
  expect(files.map(f => f.path)).toEqual([
    's/10.txt',
    's/9.txt',
    's/B.txt',
    's/Z.txt',
    's/_.txt',
    's/a-b.txt',
    's/a.b.txt',
    's/a.txt',
    's/a/z.txt',
    's/b.txt',
    's/é.txt'
  ])
})

describe('hidden files', () => {
  beforeEach(async () => {
    await write(ws('out', 'visible.txt'))
    await write(ws('out', '.env'))
    await write(ws('out', '.cache', 'blob'))
    await write(ws('out', 'sub', '.git', 'config'))
  })

  test('below a pattern’s base are skipped by default and named', async () => {
    const discovery = await discover(['out/**'])
    expect(pathsOf(discovery)).toEqual(['out/visible.txt'])
    expect(discovery.hidden).toEqual(['out/.cache/blob', 'out/.env', 'out/sub/.git/config'])
    expect(discovery.problems).toEqual([])
  })

  test('are included with includeHiddenFiles, except what is inside .git (never published)', async () => {
    const discovery = await discover(['out/**'], true)
    expect(pathsOf(discovery)).toEqual(['out/.cache/blob', 'out/.env', 'out/visible.txt'])
    expect(discovery.hidden).toEqual(['out/sub/.git/config'])
    expect(discovery.problems).toEqual([])
  })

  test('.git in any case is a .git folder (case-insensitive file systems); names that only contain .git are not', async () => {
    await write(ws('out', 'sub', '.GIT', 'config'))
    await write(ws('out', '.Git'))
    await write(ws('out', 'x.git'))
    await write(ws('out', '.gitignore'))
    await write(ws('out', 'a.git', 'x'))
    await write(ws('out', '.git.d', 'y'))
    const discovery = await discover(['out/**'], true)
    expect(pathsOf(discovery)).toEqual([
      'out/.cache/blob',
      'out/.env',
      'out/.git.d/y',
      'out/.gitignore',
      'out/a.git/x',
      'out/visible.txt',
      'out/x.git'
    ])
    expect(discovery.hidden).toEqual(['out/.Git', 'out/sub/.GIT/config', 'out/sub/.git/config'])
  })

  test('a hidden file also named by its own pattern is included, not counted as skipped', async () => {
    const discovery = await discover(['out/**', 'out/.env'])
    expect(pathsOf(discovery)).toEqual(['out/.env', 'out/visible.txt'])
    expect(discovery.hidden).toEqual(['out/.cache/blob', 'out/sub/.git/config'])
  })

  test('a pattern that itself names a hidden folder still matches inside it (its base is not "below")', async () => {
    await write(ws('.hidden', 'a.txt'))
    await write(ws('.hidden', 'b', 'c.txt'))
    await write(ws('.hidden', '.deeper', 'd.txt'))
    const discovery = await discover(['.hidden/**'])
    expect(pathsOf(discovery)).toEqual(['.hidden/a.txt', '.hidden/b/c.txt'])
    // Hidden segments below that base are still hidden.
    expect(discovery.hidden).toEqual(['.hidden/.deeper/d.txt'])
  })

  test('a pattern naming a hidden file itself matches it', async () => {
    await write(ws('.github', 'workflows', 'ci.yml'))
    const discovery = await discover(['.github/workflows/*.yml'])
    expect(pathsOf(discovery)).toEqual(['.github/workflows/ci.yml'])
    expect(discovery.hidden).toEqual([])
    expect(pathsOf(await discover(['out/.env']))).toEqual(['out/.env'])
  })

  test('a hidden workspace or temp folder above the base does not hide anything', async () => {
    const hiddenWorkspace = path.join(root, '.work', 'repo')
    await write(path.join(hiddenWorkspace, 'dist', 'a.txt'))
    const discovery = await discoverFiles({
      patterns: ['dist/*'],
      workspace: hiddenWorkspace,
      includeHiddenFiles: false
    })
    expect(discovery.files.map(f => f.path)).toEqual(['dist/a.txt'])
    expect(discovery.hidden).toEqual([])
  })
})

describe('what counts as a file', () => {
  test('directories are never returned, even empty ones or ones a pattern names exactly', async () => {
    await fs.mkdir(ws('d', 'empty'), { recursive: true })
    await write(ws('d', 'sub', 'f.txt'))
    const all = await discover(['d/*'])
    expect(pathsOf(all)).toEqual(['d/sub/f.txt'])
    expect(await discover(['d/empty'])).toEqual({ files: [], hidden: [], excluded: [], problems: [] })
    for (const file of all.files) expect((await fs.stat(file.absolutePath)).isFile()).toBe(true)
  })

  test('names with spaces, unicode, #, %, quotes and other punctuation', async () => {
    const names = [
      'with space.txt',
      'ünïcødé-文件.txt',
      'emoji-🚀.txt',
      'hash#1.txt',
      '100%.txt',
      '%20encoded.txt',
      `quote'"s.txt`,
      'semi;colon&amp.txt',
      'paren(1).txt',
      'dollar$HOME.txt'
    ]
    for (const name of names) await write(ws('odd', name), name)
    const { files, problems } = await discover(['odd/*'])
    expect(problems).toEqual([])
    expect(files.map(f => f.path).sort()).toEqual(names.map(n => `odd/${n}`).sort())
    for (const file of files) {
      const name = file.path.slice('odd/'.length)
      expect(file.absolutePath).toBe(ws('odd', name))
      expect(file.size).toBe(Buffer.byteLength(name))
    }
  })

  test('a name with a space can be matched literally', async () => {
    await write(ws('my dir', 'my file.txt'))
    expect(pathsOf(await discover(['my dir/my file.txt']))).toEqual(['my dir/my file.txt'])
  })

  test('zero-byte files are files of size 0', async () => {
    await write(ws('e', 'empty.bin'), '')
    await write(ws('e', 'full.bin'), Buffer.alloc(1000))
    expect((await discover(['e/*'])).files).toEqual([
      { absolutePath: ws('e', 'empty.bin'), path: 'e/empty.bin', size: 0 },
      { absolutePath: ws('e', 'full.bin'), path: 'e/full.bin', size: 1000 }
    ])
  })

  test('a broken link is left out, without a problem', async () => {
    await write(ws('l', 'real.txt'))
    await fs.symlink(ws('l', 'missing.txt'), ws('l', 'broken.txt'))
    expect(await discover(['l/*'])).toEqual({
      files: [{ absolutePath: ws('l', 'real.txt'), path: 'l/real.txt', size: 1 }],
      hidden: [],
      excluded: [],
      problems: []
    })
  })

  const asRoot = process.getuid?.() === 0
  ;(asRoot ? test.skip : test)('an unreadable file is a problem naming it, not a silent omission', async () => {
    await write(ws('p', 'locked.bin'))
    await write(ws('p', 'open.bin'))
    await fs.chmod(ws('p', 'locked.bin'), 0o000)
    const { files, problems } = await discover(['p/*'])
    expect(files.map(f => f.path)).toEqual(['p/open.bin'])
    expect(problems.map(p => p.message)).toEqual([expect.stringMatching(/^p\/locked\.bin: cannot be read \(EACCES\)/)])
  })
})

test('10,000 small files, quickly and in order', async () => {
  const dir = ws('many')
  await fs.mkdir(dir, { recursive: true })
  // Shuffled creation order: the sorting must come from discovery, not from the directory listing.
  const names = Array.from({ length: 10_000 }, (_, i) => `f${String((i * 7919) % 10_000).padStart(5, '0')}.txt`)
  for (let i = 0; i < names.length; i += 500) {
    await Promise.all(names.slice(i, i + 500).map(name => fs.writeFile(path.join(dir, name), name)))
  }
  const started = Date.now()
  const { files, problems, hidden } = await discover(['many/*.txt'])
  expect(Date.now() - started).toBeLessThan(20_000)
  expect(problems).toEqual([])
  expect(hidden).toEqual([])
  expect(files).toHaveLength(10_000)
  expect(new Set(files.map(f => f.path)).size).toBe(10_000)
  files.forEach((file, i) => {
    expect(file.path).toBe(`many/f${String(i).padStart(5, '0')}.txt`)
    expect(file.size).toBe(10)
  })
})

describe('symbolic links', () => {
  test('a link inside the workspace to a file outside it is refused, naming link and target', async () => {
    await write(ws('ok.txt'))
    await fs.symlink(path.join(outside, 'secret.key'), ws('innocent.txt'))
    const { files, problems } = await discover(['*.txt'])
    expect(files.map(f => f.path)).toEqual(['ok.txt'])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toBeInstanceOf(FileError)
    expect(problems[0].file).toBe('innocent.txt')
    expect(problems[0].message).toMatch(/^innocent\.txt: is a symbolic link .*outside the workspace/)
    expect(problems[0].message).toContain(path.join(outside, 'secret.key'))
  })

  test('a relative link that climbs out of the workspace is refused too', async () => {
    await fs.symlink(path.join('..', 'outside', 'secret.key'), ws('climb.txt'))
    const { files, problems } = await discover(['climb.txt'])
    expect(files).toEqual([])
    expect(problems.map(p => p.file)).toEqual(['climb.txt'])
    expect(problems[0].message).toContain(path.join(outside, 'secret.key'))
  })

  test('a chain of links that ends outside is refused', async () => {
    await fs.symlink(path.join(outside, 'secret.key'), ws('hop2'))
    await fs.symlink(ws('hop2'), ws('hop1.txt'))
    const { files, problems } = await discover(['hop1.txt'])
    expect(files).toEqual([])
    expect(problems.map(p => p.file)).toEqual(['hop1.txt'])
  })

  test('a link named by an absolute pattern is still judged by where it leads', async () => {
    await fs.symlink(path.join(outside, 'secret.key'), ws('abs.txt'))
    const { files, problems } = await discover([ws('abs.txt')])
    expect(files).toEqual([])
    expect(problems.map(p => p.file)).toEqual(['abs.txt'])
  })

  test('a linked folder inside the workspace that leads outside is refused, file by file', async () => {
    await write(path.join(outside, 'dir', 'nested', 'more.txt'))
    await fs.symlink(path.join(outside, 'dir'), ws('build'))
    const { files, problems } = await discover(['build/**'])
    expect(files).toEqual([])
    expect(problems.map(p => p.file).sort()).toEqual(['build/inner.txt', 'build/nested/more.txt'])
    const inner = problems.find(p => p.file === 'build/inner.txt')
    expect(inner?.message).toContain(path.join(outside, 'dir', 'inner.txt'))
  })

  test('a linked folder reached by a wider pattern is refused as well', async () => {
    await write(ws('src', 'main.ts'))
    await fs.symlink(path.join(outside, 'dir'), ws('src', 'vendor'))
    const { files, problems } = await discover(['**'])
    expect(files.map(f => f.path)).toEqual(['src/main.ts'])
    expect(problems.map(p => p.file)).toEqual(['src/vendor/inner.txt'])
  })

  test('a link that stays inside the workspace is followed; the result keeps the link’s own path', async () => {
    await write(ws('real', 'app.bin'), 'app')
    await fs.symlink(ws('real', 'app.bin'), ws('latest.bin'))
    await fs.symlink('real', ws('current'))
    const { files, problems } = await discover(['latest.bin', 'current/*'])
    expect(problems).toEqual([])
    expect(files).toEqual([
      { absolutePath: ws('current', 'app.bin'), path: 'current/app.bin', size: 3 },
      { absolutePath: ws('latest.bin'), path: 'latest.bin', size: 3 }
    ])
  })

  test('a workspace reached through a link is still the workspace', async () => {
    await write(ws('dist', 'a.txt'))
    const linked = path.join(root, 'ws-link')
    await fs.symlink(workspace, linked)
    const discovery = await discoverFiles({ patterns: ['dist/*'], workspace: linked, includeHiddenFiles: false })
    expect(discovery.problems).toEqual([])
    expect(discovery.files.map(withoutIdentity)).toEqual([
      { absolutePath: path.join(linked, 'dist', 'a.txt'), path: 'dist/a.txt', size: 1 }
    ])
  })

  test('each file carries the identity of what was found: its real path, device and inode', async () => {
    await write(ws('dist', 'real.txt'))
    await fs.symlink('real.txt', ws('dist', 'link.txt'))
    const { files } = await discoverFiles({ patterns: ['dist/*'], workspace, includeHiddenFiles: false })
    const real = await fs.stat(ws('dist', 'real.txt'))
    const identity = { realPath: await fs.realpath(ws('dist', 'real.txt')), dev: real.dev, ino: real.ino }
    expect(files).toEqual([
      expect.objectContaining({ path: 'dist/link.txt', ...identity }),
      expect.objectContaining({ path: 'dist/real.txt', ...identity })
    ])
  })

  test('a workspace reached through a link: absolute paths keep the link, real paths resolve it', async () => {
    await write(ws('dist', 'a.txt'))
    const linked = path.join(root, 'ws-link')
    await fs.symlink(workspace, linked)
    const { files } = await discoverFiles({ patterns: ['dist/*'], workspace: linked, includeHiddenFiles: false })
    const real = await fs.stat(ws('dist', 'a.txt'))
    expect(files.map(f => [f.absolutePath, f.realPath, f.dev, f.ino])).toEqual([
      [path.join(linked, 'dist', 'a.txt'), ws('dist', 'a.txt'), real.dev, real.ino]
    ])
  })

  test('a file outside the workspace, and one reached through a link, carry their own paths', async () => {
    await write(ws('real', 'a.txt'))
    await fs.symlink(ws('real', 'a.txt'), ws('link.txt'))
    const { files } = await discoverFiles({
      patterns: ['link.txt', path.join(outside, 'dir', '*.txt')],
      workspace,
      includeHiddenFiles: false
    })
    expect(files.map(f => [f.path, f.absolutePath, f.realPath])).toEqual([
      [
        posix(path.join(outside, 'dir', 'inner.txt')),
        path.join(outside, 'dir', 'inner.txt'),
        path.join(outside, 'dir', 'inner.txt')
      ],
      ['link.txt', ws('link.txt'), ws('real', 'a.txt')]
    ])
  })

  test('a discovered file is its own pipeline entry: no wrapper per file', async () => {
    await write(ws('dist', 'a.txt'))
    const { files } = await discoverFiles({ patterns: ['dist/*'], workspace, includeHiddenFiles: false })
    expect(files[0].source).toBe('file')
    expect(files[0].file).toBe(files[0])
  })

  test('a link below an outside folder the author named, leading elsewhere, is refused', async () => {
    await write(path.join(root, 'elsewhere', 'x.txt'))
    await fs.symlink(path.join(root, 'elsewhere', 'x.txt'), path.join(outside, 'dir', 'link.txt'))
    const { files, problems } = await discover([path.join(outside, 'dir', '*.txt')])
    expect(files.map(f => f.path)).toEqual([posix(path.join(outside, 'dir', 'inner.txt'))])
    expect(problems.map(p => p.file)).toEqual([posix(path.join(outside, 'dir', 'link.txt'))])
  })
})

describe('files outside the workspace', () => {
  test('an absolute pattern to a folder outside the workspace is allowed, shown absolute with /', async () => {
    const { files, problems } = await discover([path.join(outside, 'dir', '*.txt')])
    expect(problems).toEqual([])
    expect(files).toEqual([
      {
        absolutePath: path.join(outside, 'dir', 'inner.txt'),
        path: posix(path.join(outside, 'dir', 'inner.txt')),
        size: 5
      }
    ])
    expect(path.isAbsolute(files[0].path)).toBe(true)
  })

  test('a relative pattern that climbs out with .. is the author naming it: allowed, shown absolute', async () => {
    const { files, problems } = await discover(['../outside/secret.key'])
    expect(problems).toEqual([])
    expect(files.map(f => f.path)).toEqual([posix(path.join(outside, 'secret.key'))])
  })

  test('inside and outside files together: inside ones relative, outside ones absolute, all sorted', async () => {
    await write(ws('z.txt'))
    const { files } = await discover(['z.txt', path.join(outside, 'secret.key')])
    expect(files.map(f => f.path)).toEqual([posix(path.join(outside, 'secret.key')), 'z.txt'])
  })
})

/** `..name` is a name inside the workspace, not a way out: shown workspace-relative, links still judged. */
test('a name that starts with two dots, inside the workspace, is shown workspace-relative', async () => {
  await write(ws('..d', 'in.txt'))
  const { files } = await discover(['..d/*'])
  expect(files.map(f => f.path)).toEqual(['..d/in.txt'])
})

test('a link whose name starts with two dots and leads outside is still refused', async () => {
  await fs.symlink(path.join(outside, 'secret.key'), ws('..evil'))
  await fs.symlink(path.join(outside, 'dir'), ws('..dir'))
  const { files, problems } = await discover(['**'], true)
  expect(files).toEqual([])
  expect(problems).toHaveLength(2)
})

test('anchorPattern keeps negation, absolute paths, home and comments', () => {
  const base = path.resolve('/ws')
  expect(anchorPattern('dist/*', base)).toBe(path.join(base, 'dist/*'))
  expect(anchorPattern('!dist/*.map', base)).toBe(`!${path.join(base, 'dist/*.map')}`)
  expect(anchorPattern(path.resolve('/abs/*'), base)).toBe(path.resolve('/abs/*'))
  expect(anchorPattern(`!${path.resolve('/abs/*')}`, base)).toBe(`!${path.resolve('/abs/*')}`)
  expect(anchorPattern('~/x', base)).toBe('~/x')
  expect(anchorPattern('# note', base)).toBe('# note')
  expect(anchorPattern('out/', base)).toBe(`${path.join(base, 'out')}/`)
})

describe('pattern syntax (as @actions/glob reads it)', () => {
  beforeEach(async () => {
    for (const name of ['a1.txt', 'a2.txt', 'b1.txt', 'ab.txt', '{a,b}.txt', '+(a).txt']) await write(ws('p', name))
  })

  test('`?` is one character, `[...]` one of a set; braces and extglobs are literal', async () => {
    expect(pathsOf(await discover(['p/a?.txt']))).toEqual(['p/a1.txt', 'p/a2.txt', 'p/ab.txt'])
    expect(pathsOf(await discover(['p/[ab]1.txt']))).toEqual(['p/a1.txt', 'p/b1.txt'])
    expect(pathsOf(await discover(['p/{a,b}.txt']))).toEqual(['p/{a,b}.txt'])
    expect(pathsOf(await discover(['p/+(a).txt']))).toEqual(['p/+(a).txt'])
  })

  test('`#` lines are comments and blank lines are ignored', async () => {
    expect(pathsOf(await discover(['# p/a1.txt', '', '  ', 'p/b1.txt']))).toEqual(['p/b1.txt'])
  })

  test('`~` is the home folder', () => {
    // os.homedir() reads the real environment, which a test cannot change: the search path shows it.
    const [pattern] = parsePatterns([anchorPattern('~/h/*', workspace)])
    expect(pattern.searchPath).toBe(path.join(os.homedir(), 'h'))
    expect(pattern.match(path.join(os.homedir(), 'h', 'x.txt'))).toBe(MatchKind.All)
  })

  test('a workspace whose name holds glob characters is matched literally', async () => {
    const odd = path.join(root, 'w[s]*?')
    await write(path.join(odd, 'd', 'f.txt'))
    await write(path.join(root, 'ws', 'd', 'decoy.txt'))
    const discovery = await discoverFiles({ patterns: ['d/*'], workspace: odd, includeHiddenFiles: false })
    expect(pathsOf(discovery)).toEqual(['d/f.txt'])
  })

  test('`.` or `..` inside an absolute pattern is an input error, as in @actions/glob', async () => {
    await expect(discover([`${workspace}/p/../p/*`])).rejects.toThrow(/Input 'path'.*'\.' or '\.\.'/)
    await expect(discover(['!'])).rejects.toThrow(/Input 'path': '!' has nothing after its '!'/)
  })
})

describe('links into hidden files and .git (issue 11)', () => {
  beforeEach(async () => {
    await write(ws('.git', 'config'), '[http] extraheader = AUTHORIZATION: basic TOKEN')
    await write(ws('.env'), 'SECRET=1')
    await write(ws('dist', 'app.js'))
  })

  test('a link to .git/config is refused, naming the link and its target, whatever include-hidden-files says', async () => {
    await fs.symlink(path.join('..', '.git', 'config'), ws('dist', 'c.txt'))
    for (const includeHidden of [false, true]) {
      const { files, problems } = await discover(['dist/**'], includeHidden)
      expect(pathsOf({ files })).toEqual(['dist/app.js'])
      expect(problems.map(p => p.file)).toEqual(['dist/c.txt'])
      expect(problems[0]).toBeInstanceOf(FileError)
      expect(problems[0].message).toContain(ws('.git', 'config'))
      expect(problems[0].message).toMatch(/^dist\/c\.txt: is a symbolic link .*\.git folder/)
    }
  })

  test('a link to a hidden file is refused unless include-hidden-files', async () => {
    await fs.symlink(ws('.env'), ws('dist', 'env.txt'))
    const refused = await discover(['dist/*'])
    expect(pathsOf(refused)).toEqual(['dist/app.js'])
    expect(refused.problems.map(p => p.file)).toEqual(['dist/env.txt'])
    expect(refused.problems[0].message).toContain(ws('.env'))
    expect(refused.problems[0].message).toContain('include-hidden-files')
    const allowed = await discover(['dist/*'], true)
    expect(allowed.problems).toEqual([])
    expect(pathsOf(allowed)).toEqual(['dist/app.js', 'dist/env.txt'])
  })

  test('a linked folder standing in for a pattern’s base is judged by where it leads', async () => {
    await fs.rm(ws('dist'), { recursive: true })
    await fs.symlink('.git', ws('dist'))
    const { files, problems } = await discover(['dist/**'], true)
    expect(files).toEqual([])
    expect(problems.map(p => p.file)).toEqual(['dist/config'])
  })

  test('a pattern naming a file inside .git is refused; a wide pattern skips .git as hidden, silently', async () => {
    const named = await discover(['.git/config'], true)
    expect(named.files).toEqual([])
    expect(named.problems.map(p => p.message)).toEqual([
      expect.stringMatching(/^\.git\/config: is inside a \.git folder/)
    ])
    const wide = await discover(['**'], true)
    expect(pathsOf(wide)).toEqual(['.env', 'dist/app.js'])
    expect(wide.hidden).toEqual(['.git/config'])
    expect(wide.problems).toEqual([])
  })
})

describe('file names with control or bidirectional characters (issue 11)', () => {
  test('are refused, named escaped', async () => {
    await write(ws('n', 'ok.txt'))
    await write(ws('n', 'line\nbreak.txt'))
    await write(ws('n', '\u001b[31mred.txt'))
    await write(ws('n', 'gpj\u202eexe.txt'))
    await write(ws('n', 'del\u007f.txt'))
    const { files, problems } = await discover(['n/*'])
    expect(pathsOf({ files })).toEqual(['n/ok.txt'])
    expect(problems.map(p => p.file)).toEqual([
      '"n/\\u001b[31mred.txt"',
      '"n/del\\u007f.txt"',
      '"n/gpj\\u202eexe.txt"',
      '"n/line\\nbreak.txt"'
    ])
    for (const problem of problems) {
      expect(problem).toBeInstanceOf(FileError)
      expect(hasUnsafeCharacters(problem.message)).toBe(false)
      expect(problem.message).toContain('rename it')
    }
  })

  test('a hidden one is listed escaped', async () => {
    await write(ws('n', '.x\ny'))
    expect((await discover(['n/**'])).hidden).toEqual(['"n/.x\\ny"'])
  })
})

describe("this action's own files (issue 12)", () => {
  test('the manifest, checksums and previous manifest are left out and reported, also through links', async () => {
    await write(ws('dist', 'app.js'))
    await write(ws('dist', 'numbers-manifest.json'), '{}')
    await write(ws('dist', 'previous.json'), '{}')
    await fs.symlink(ws('dist', 'previous.json'), ws('dist', 'prev-link.json'))
    const discovery = await discoverFiles({
      patterns: ['dist/**'],
      workspace,
      includeHiddenFiles: false,
      // The checksums file is not written yet: it must still be recognised when it is.
      excludeOwnFiles: [ws('dist', 'numbers-manifest.json'), ws('dist', 'previous.json'), ws('dist', 'sums.txt')]
    })
    expect(pathsOf(discovery)).toEqual(['dist/app.js'])
    expect(discovery.excluded).toEqual(['dist/numbers-manifest.json', 'dist/prev-link.json', 'dist/previous.json'])
    expect(discovery.problems).toEqual([])
  })

  test('reached through a linked folder, by its real path', async () => {
    await write(ws('real', 'numbers-manifest.json'), '{}')
    await fs.symlink('real', ws('out'))
    const discovery = await discoverFiles({
      patterns: ['out/*'],
      workspace,
      includeHiddenFiles: false,
      excludeOwnFiles: [ws('real', 'numbers-manifest.json')]
    })
    expect(discovery.files).toEqual([])
    expect(discovery.excluded).toEqual(['out/numbers-manifest.json'])
  })
})

describe('loops and unreadable folders (issue 14)', () => {
  test('a link to itself is a problem naming it, not a raw ELOOP', async () => {
    await write(ws('l', 'ok.txt'))
    await fs.symlink('self', ws('l', 'self'))
    await fs.symlink('b', ws('l', 'a'))
    await fs.symlink('a', ws('l', 'b'))
    const { files, problems } = await discover(['l/*'])
    expect(pathsOf({ files })).toEqual(['l/ok.txt'])
    expect(problems.map(p => p.message)).toEqual([
      expect.stringMatching(/^l\/a: is a symbolic link that leads back to itself \(ELOOP\); remove the link/),
      expect.stringMatching(/^l\/b: .*ELOOP/),
      expect.stringMatching(/^l\/self: .*ELOOP/)
    ])
  })

  test('a linked folder that leads back up is not entered again, without a problem', async () => {
    await write(ws('c', 'f.txt'))
    await write(ws('c', 'd', 'g.txt'))
    await fs.symlink('.', ws('c', 'self'))
    await fs.symlink('..', ws('c', 'd', 'up'))
    const { files, problems } = await discover(['c/**'])
    expect(problems).toEqual([])
    expect(pathsOf({ files })).toEqual(['c/d/g.txt', 'c/f.txt'])
  })

  // Tests run as root, which reads any folder: the fault is injected where the folder is listed.
  test('an unreadable folder is a problem naming it; the rest is still found', async () => {
    await write(ws('u', 'locked', 'x.txt'))
    await write(ws('u', 'open', 'y.txt'))
    const fileSystem: FileSystem = {
      ...nodeFileSystem,
      readdir: dir => {
        if (dir === ws('u', 'locked')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
        return nodeFileSystem.readdir(dir)
      }
    }
    const discovery = await discoverFiles({ patterns: ['u/**'], workspace, includeHiddenFiles: false, fileSystem })
    expect(pathsOf(discovery)).toEqual(['u/open/y.txt'])
    expect(discovery.problems.map(p => p.message)).toEqual([
      expect.stringMatching(/^u\/locked: is a folder that cannot be listed \(EACCES\); check its permissions/)
    ])
  })
})

test('a folder whose listing fails midway is a problem naming it; what was listed before is kept', async () => {
  await write(ws('m', 'a.txt'))
  await write(ws('m', 'b.txt'))
  const fileSystem: FileSystem = {
    ...nodeFileSystem,
    readdir: dir => {
      if (dir !== ws('m')) return nodeFileSystem.readdir(dir)
      const first = [...nodeFileSystem.readdir(dir)][0]
      return (function* () {
        yield first
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })
      })()
    }
  }
  const discovery = await discoverFiles({ patterns: ['m/**'], workspace, includeHiddenFiles: false, fileSystem })
  expect(discovery.files).toHaveLength(1)
  expect(discovery.problems.map(p => p.message)).toEqual([
    expect.stringMatching(/^m: is a folder that cannot be listed \(EIO\)/)
  ])
})

test('safeName leaves ordinary names alone and escapes the rest JSON-style', () => {
  expect(safeName('dist/ünï cødé.txt')).toBe('dist/ünï cødé.txt')
  expect(safeName('a\nb')).toBe('"a\\nb"')
  expect(safeName('\u001b[0m\u2028\u2066')).toBe('"\\u001b[0m\\u2028\\u2066"')
  expect(safeName('q"\\\t')).toBe('"q\\"\\\\\\t"')
})
