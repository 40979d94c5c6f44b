import type { Stats } from 'node:fs'
import * as path from 'node:path'
import { FileError } from './errors.js'
import { hasUnsafeCharacters, safeName } from './discovery/names.js'
import { globEscape, parsePatterns } from './discovery/pattern.js'
import { nodeFileSystem, walk, type FileSystem } from './discovery/walk.js'

export type { FileSystem } from './discovery/walk.js'

export interface LocalFile {
  /** Absolute path as matched (a link keeps its own path). */
  readonly absolutePath: string
  /** Workspace-relative with `/` separators; absolute for files the author named outside it. */
  readonly path: string
  readonly size: number
  /** The file itself as discovery saw it (links resolved): what is opened later must be this very file. */
  readonly realPath: string
  readonly dev: number
  readonly ino: number
}

/**
 * What a file's absolute path, real path and device are made of: the workspace's paths (each ending
 * with a separator, the file's own path appended), shared by every file below it on that device; or,
 * for a file outside the workspace or reached through a link, the file's own.
 */
interface Origin {
  absolute: string
  real: string
  dev: number
  shared: boolean
}

/** `/`-separated to the platform's own. */
const native = (posix: string): string => (path.sep === '/' ? posix : posix.split('/').join(path.sep))

/**
 * `n` as a small integer when it is one: stat's numbers arrive as doubles, which V8 would box (an
 * object each) and which would make every file's field a boxed one.
 */
const small = (n: number): number => (n >= 0 && n <= 0x7fffffff ? n | 0 : n)

/**
 * A flat copy of `s`: a slice of a longer string keeps all of it alive, a concatenation keeps its
 * parts. Joining two parts is how V8 builds a flat string.
 */
const flat = (s: string): string => (s.length < 2 ? s : [s.slice(0, 1), s.slice(1)].join(''))

/**
 * A file as discovery found it, kept small because a run may hold 100,000 of them until its end
 * (~110 bytes each, its path included): its path as one flat string, size and inode as small
 * integers, and its absolute path, real path and device from an origin shared with the other files
 * of the workspace. It is also its own pipeline entry (`source: 'file'`): no wrapper per file.
 */
export class DiscoveredFile implements LocalFile {
  readonly path: string
  readonly size: number
  readonly ino: number
  private readonly origin: Origin

  constructor(shown: string, stats: Pick<Stats, 'size' | 'ino'>, origin: Origin) {
    this.path = shown
    this.size = small(stats.size)
    this.ino = small(stats.ino)
    this.origin = origin
  }

  get absolutePath(): string {
    return this.origin.shared ? this.origin.absolute + native(this.path) : this.origin.absolute
  }

  get realPath(): string {
    return this.origin.shared ? this.origin.real + native(this.path) : this.origin.real
  }

  get dev(): number {
    return this.origin.dev
  }

  get source(): 'file' {
    return 'file'
  }

  get file(): LocalFile {
    return this
  }
}

export interface DiscoveryOptions {
  /** Lines of the `path` input: globs relative to the workspace, `!` excludes, `#` comments. */
  patterns: string[]
  workspace: string
  includeHiddenFiles: boolean
  /**
   * Absolute paths of this action's own files (manifest, checksums, previous manifest). A glob
   * that covers them would otherwise pin last run's manifest on every run; compared by real path too.
   */
  excludeOwnFiles?: string[]
  /** Defaults to the real one; tests inject faults through it. */
  fileSystem?: FileSystem
}

export interface Discovery {
  /** Sorted by `path` in code-unit order, each once. */
  files: DiscoveredFile[]
  /** Hidden files that matched but were left out (paths as in `files`, escaped), so the log can name them. */
  hidden: string[]
  /** This action's own files that matched and were left out (paths as in `files`). */
  excluded: string[]
  /** Files refused (links out of the workspace or to hidden files, unsafe names, unreadable): reported before any request. */
  problems: FileError[]
}

/** Code-unit order, not locale order: the same on every runner. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Paths relative to `parent` when they are inside it (`''` for `parent` itself), else undefined. */
function relativeTo(parent: string): (child: string) => string | undefined {
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep
  return child => {
    // Fast path for what the walk produces: normalised paths that start with the folder's own.
    if (child.startsWith(prefix)) return child.slice(prefix.length)
    const relative = path.relative(parent, child)
    // `..name` is a file inside; only a `..` segment leads out.
    const inside =
      relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
    return inside ? relative : undefined
  }
}

const withSeparator = (p: string): string => (p.endsWith(path.sep) ? p : p + path.sep)

/** Whether `full` is `prefix` followed by `rest`, compared without building the joined string. */
const derives = (prefix: string, rest: string, full: string): boolean =>
  full.length === prefix.length + rest.length && full.startsWith(prefix) && full.endsWith(rest)

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/')
}

/** Any segment starting with '.' (`.env`, `.git/config`, `a/.cache/b`). */
const isHidden = (relative: string): boolean => relative.startsWith('.') || relative.includes(`${path.sep}.`)
const SEP = path.sep === '/' ? '/' : '\\\\'
const GIT_SEGMENT = new RegExp(`(?:^|${SEP})\\.git(?:${SEP}|$)`, 'i')
/**
 * Inside a `.git` folder (any case), which holds the job's token with actions/checkout's default
 * persist-credentials. A regular expression: nothing is built per file.
 */
const inGitFolder = (relative: string): boolean => GIT_SEGMENT.test(relative)

function realpathOrSelf(fileSystem: FileSystem, p: string): string {
  try {
    return fileSystem.realpath(p)
  } catch {
    return p
  }
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error'

const UNSAFE_NAME =
  "has a control, line-separator or bidirectional-override character in its name, which could forge log lines or disguise what it is; rename it, or exclude it with a '!' pattern"

function faultError(shown: string, code: string, listing: boolean): FileError {
  if (listing) {
    return new FileError(
      shown,
      `is a folder that cannot be listed (${code}); check its permissions, or exclude it with a '!' pattern`
    )
  }
  if (code === 'ELOOP') {
    return new FileError(
      shown,
      `is a symbolic link that leads back to itself (ELOOP); remove the link, or exclude it with a '!' pattern`
    )
  }
  return new FileError(shown, `cannot be read (${code}); check its permissions, or exclude it with a '!' pattern`)
}

/**
 * Why a file whose real location is outside the workspace is refused, if it is: when it was
 * reached through a link (the author named only where the link is), or lies in a `.git` folder.
 */
function outsideRefusal(real: string, throughLink: boolean): string | undefined {
  if (throughLink) {
    return `is a symbolic link (or lies below one) to ${safeName(real)}, outside the workspace; it is refused so that nothing outside the checkout is published. Copy the file into the workspace or name its real path in 'path'`
  }
  if (inGitFolder(real)) return `is inside a .git folder, which can hold credentials; it is never published`
  return undefined
}

/**
 * Why a file inside the workspace is refused, if it is: its real path (links resolved) is inside a
 * `.git` folder, or hidden while the path it was found by is not (`dist/c.txt -> ../.env`).
 */
function insideRefusal(
  real: string,
  realRelative: string,
  relative: string | undefined,
  includeHiddenFiles: boolean
): string | undefined {
  const throughLink = relative !== realRelative
  const link = `is a symbolic link (or lies below one) to ${safeName(real)}`
  if (inGitFolder(realRelative)) {
    return throughLink
      ? `${link}, inside a .git folder, which holds the job's token; it is never published. Remove the link, or exclude it with a '!' pattern`
      : `is inside a .git folder, which holds the job's token; it is never published. Exclude it with a '!' pattern`
  }
  if (throughLink && !includeHiddenFiles && isHidden(realRelative)) {
    return `${link}, a hidden file; hidden files (.env, credentials) are not published through links. Remove the link, or set include-hidden-files: true if it is meant to be published`
  }
  return undefined
}

/** Relative patterns are relative to the workspace, as they are on the runner. */
export function anchorPattern(pattern: string, workspace: string): string {
  const negated = pattern.startsWith('!')
  const body = negated ? pattern.slice(1) : pattern
  if (!body || body.startsWith('#') || body.startsWith('~') || path.isAbsolute(body)) return pattern
  // Escaped, so a workspace named `a[1]` or `*` is matched literally.
  return `${negated ? '!' : ''}${path.join(globEscape(workspace), body)}`
}

/**
 * Finds the regular files the patterns match (`!` lines exclude), sorted by path. Links are
 * followed, but what they lead to is judged too: a file reached through a link is refused when its
 * real location is outside the workspace (a pull request must not publish /proc/self/environ or
 * ~/.ssh that way), hidden (`dist/c.txt -> ../.env`, unless includeHiddenFiles) or inside a `.git`
 * folder (never published: it holds the job's token). Hidden files below a pattern's literal base
 * are skipped unless includeHiddenFiles, and `.git` folders below it always.
 */
export async function discoverFiles(options: DiscoveryOptions): Promise<Discovery> {
  const fileSystem = options.fileSystem ?? nodeFileSystem
  const workspace = path.resolve(options.workspace)
  const realWorkspace = realpathOrSelf(fileSystem, workspace)
  // Trimmed first, as @actions/glob trims each line: a blank line must not become the workspace itself.
  const lines = options.patterns.map(p => p.trim()).filter(p => p !== '')
  const patterns = parsePatterns(lines.map(p => anchorPattern(p, workspace)))
  // Hidden segments are judged below the literal base of the most specific include pattern, so
  // `.github/**` can still be asked for explicitly. Longest first, so the first that holds a file is it.
  const roots = [...new Set(patterns.filter(p => !p.negate).map(p => p.searchPath))].sort((a, b) => b.length - a.length)
  const own = new Set(
    (options.excludeOwnFiles ?? []).flatMap(file => {
      const absolute = path.resolve(workspace, file)
      // Not written yet on a first run: its folder may still be reached through a link.
      const real = path.join(realpathOrSelf(fileSystem, path.dirname(absolute)), path.basename(absolute))
      return [absolute, real, realpathOrSelf(fileSystem, absolute)]
    })
  )

  const inWorkspace = relativeTo(workspace)
  const inRealWorkspace = relativeTo(realWorkspace)
  const inRoots = roots.map(root => ({ real: realpathOrSelf(fileSystem, root), relative: relativeTo(root) }))
  const shownOf = (p: string): string => toPosix(inWorkspace(p) ?? p)
  const workspacePrefix = withSeparator(workspace)
  const realPrefix = withSeparator(realWorkspace)
  /** By device: files below the workspace share their origin. */
  const shared = new Map<number, Origin>()

  const problems: FileError[] = []
  const files: DiscoveredFile[] = []
  const hidden: string[] = []
  const excluded: string[] = []

  /** The file to pin, a problem, or the list it is left out into. */
  const judge = (match: string, real: string, stats?: Stats): DiscoveredFile | FileError | string[] | undefined => {
    const relative = inWorkspace(match)
    const shown = toPosix(relative ?? match)
    let rootReal = real
    let below = ''
    for (const root of inRoots) {
      const inRoot = root.relative(match)
      if (inRoot !== undefined) {
        rootReal = root.real
        below = inRoot
        break
      }
    }
    if (inGitFolder(below) || (!options.includeHiddenFiles && isHidden(below))) return hidden
    if (hasUnsafeCharacters(shown)) return new FileError(safeName(shown), UNSAFE_NAME)
    if (own.has(match) || own.has(real)) return excluded

    const realRelative = inRealWorkspace(real)
    const refusal =
      realRelative === undefined
        ? outsideRefusal(real, relative !== undefined || real !== path.join(rootReal, below))
        : insideRefusal(real, realRelative, relative, options.includeHiddenFiles)
    if (refusal) return new FileError(shown, refusal)

    let target: Stats
    try {
      target = stats ?? fileSystem.stat(match)
      if (!target.isFile()) return undefined
      // Readable by everyone by its mode (a checkout's files are): access(2) is asked only otherwise.
      if ((target.mode & 0o004) === 0) fileSystem.access(match)
    } catch (error) {
      return new FileError(shown, `cannot be read (${codeOf(error)}); check its permissions`)
    }
    const dev = small(target.dev)
    // What the workspace's paths give is not stored again: only a file outside it or reached
    // through a link has an origin of its own.
    if (relative !== undefined && derives(workspacePrefix, relative, match) && derives(realPrefix, relative, real)) {
      let origin = shared.get(dev)
      if (!origin) shared.set(dev, (origin = { absolute: workspacePrefix, real: realPrefix, dev, shared: true }))
      return new DiscoveredFile(flat(shown), target, origin)
    }
    const absolute = flat(match)
    const origin = { absolute, real: real === match ? absolute : flat(real), dev, shared: false }
    return new DiscoveredFile(relative === undefined ? toPosix(absolute) : flat(shown), target, origin)
  }

  const faults = walk(patterns, fileSystem, (match, real, stats) => {
    const verdict = judge(match, real, stats)
    if (verdict instanceof FileError) problems.push(verdict)
    else if (Array.isArray(verdict)) verdict.push(flat(safeName(shownOf(match))))
    else if (verdict) files.push(verdict)
  })
  for (const { path: at, code, listing } of faults) problems.push(faultError(safeName(shownOf(at)), code, listing))
  files.sort((a, b) => byCodeUnit(a.path, b.path))
  hidden.sort(byCodeUnit)
  excluded.sort(byCodeUnit)
  problems.sort((a, b) => byCodeUnit(a.file, b.file))
  return { files, hidden, excluded, problems }
}
