import * as path from 'node:path'
import { FileError } from './errors.js'
import { hasUnsafeCharacters, safeName } from './discovery/names.js'
import { globEscape, parsePatterns } from './discovery/pattern.js'
import { nodeFileSystem, walk, type Candidate, type FileSystem } from './discovery/walk.js'

export type { FileSystem } from './discovery/walk.js'

export interface LocalFile {
  /** Absolute path as matched (a link keeps its own path). */
  absolutePath: string
  /** Workspace-relative with `/` separators; absolute for files the author named outside it. */
  path: string
  size: number
  /** The file itself as discovery saw it (links resolved): what is opened later must be this very file. */
  realPath: string
  dev: number
  ino: number
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
  files: LocalFile[]
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

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/')
}

/** Any segment starting with '.' (`.env`, `.git/config`, `a/.cache/b`). */
const isHidden = (relative: string): boolean => relative.startsWith('.') || relative.includes(`${path.sep}.`)
/** Inside a `.git` folder, which holds the job's token with actions/checkout's default persist-credentials. */
const inGitFolder = (relative: string): boolean =>
  `${path.sep}${relative.toLowerCase()}${path.sep}`.includes(`${path.sep}.git${path.sep}`)

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

  const { candidates, faults } = walk(patterns, fileSystem)
  const problems = faults.map(({ path: at, code, listing }) => faultError(safeName(shownOf(at)), code, listing))
  const files: LocalFile[] = []
  const hidden: string[] = []
  const excluded: string[] = []

  /** The file to pin, a problem, or the list it is left out into. */
  const judge = ({ path: match, real, stats }: Candidate): LocalFile | FileError | string[] | undefined => {
    const relative = inWorkspace(match)
    const shown = toPosix(relative ?? match)
    let base = { real, below: '' }
    for (const root of inRoots) {
      const below = root.relative(match)
      if (below !== undefined) {
        base = { real: root.real, below }
        break
      }
    }
    if (inGitFolder(base.below) || (!options.includeHiddenFiles && isHidden(base.below))) return hidden
    if (hasUnsafeCharacters(shown)) return new FileError(safeName(shown), UNSAFE_NAME)
    if (own.has(match) || own.has(real)) return excluded

    const realRelative = inRealWorkspace(real)
    const refusal =
      realRelative === undefined
        ? outsideRefusal(real, relative !== undefined || real !== path.join(base.real, base.below))
        : insideRefusal(real, realRelative, relative, options.includeHiddenFiles)
    if (refusal) return new FileError(shown, refusal)

    try {
      const target = stats ?? fileSystem.stat(match)
      if (!target.isFile()) return undefined
      // Readable by everyone by its mode (a checkout's files are): access(2) is asked only otherwise.
      if ((target.mode & 0o004) === 0) fileSystem.access(match)
      return { absolutePath: match, path: shown, size: target.size, realPath: real, dev: target.dev, ino: target.ino }
    } catch (error) {
      return new FileError(shown, `cannot be read (${codeOf(error)}); check its permissions`)
    }
  }

  for (const candidate of candidates) {
    const verdict = judge(candidate)
    if (verdict instanceof FileError) problems.push(verdict)
    else if (Array.isArray(verdict)) verdict.push(safeName(shownOf(candidate.path)))
    else if (verdict) files.push(verdict)
  }
  files.sort((a, b) => byCodeUnit(a.path, b.path))
  hidden.sort(byCodeUnit)
  excluded.sort(byCodeUnit)
  problems.sort((a, b) => byCodeUnit(a.file, b.file))
  return { files, hidden, excluded, problems }
}
