import { promises as fs, constants as fsConstants } from 'node:fs'
import * as path from 'node:path'
import * as glob from '@actions/glob'
import { FileError } from './errors.js'
import { mapLimit } from './concurrency.js'
import { isInside } from './paths.js'

export interface LocalFile {
  /** Absolute path as matched (a link keeps its own path). */
  absolutePath: string
  /** Workspace-relative with `/` separators; absolute for files the author named outside it. */
  path: string
  size: number
}

export interface DiscoveryOptions {
  patterns: string[]
  workspace: string
  includeHiddenFiles: boolean
}

export interface Discovery {
  files: LocalFile[]
  /** Hidden files that matched but were left out, so the user can be told why. */
  hiddenSkipped: number
  /** Files refused (links out of the workspace, unreadable): reported before any request. */
  problems: FileError[]
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p)
  } catch {
    return p
  }
}

/** Relative patterns are relative to the workspace, as they are on the runner. */
export function anchorPattern(pattern: string, workspace: string): string {
  const negated = pattern.startsWith('!')
  const body = negated ? pattern.slice(1) : pattern
  if (body.startsWith('#') || body.startsWith('~') || path.isAbsolute(body)) return pattern
  return `${negated ? '!' : ''}${path.join(workspace, body)}`
}

/**
 * The literal directory each include pattern searches from, as @actions/glob computes it. Hidden
 * segments are judged below this base, so `.github/**` can still be asked for explicitly.
 */
async function searchRoots(patterns: string[]): Promise<string[]> {
  const roots: string[] = []
  for (const pattern of patterns) {
    if (pattern.startsWith('!') || pattern.startsWith('#')) continue
    roots.push(...(await glob.create(pattern)).getSearchPaths())
  }
  // Longest first, so a file is judged against the most specific base that holds it.
  return roots.sort((a, b) => b.length - a.length)
}

/**
 * Finds the regular files the patterns match (`!` lines exclude), sorted by path. Links are
 * followed, but a file whose real location is outside the workspace and that was reached through a
 * link inside it is refused: a pull request must not publish /proc/self/environ or ~/.ssh that way.
 */
export async function discoverFiles(options: DiscoveryOptions): Promise<Discovery> {
  const workspace = path.resolve(options.workspace)
  const realWorkspace = await realpathOrSelf(workspace)
  const patterns = options.patterns.map(p => anchorPattern(p, workspace))
  const globber = await glob.create(patterns.join('\n'), {
    followSymbolicLinks: true,
    implicitDescendants: true,
    matchDirectories: false,
    omitBrokenSymbolicLinks: true
  })
  const roots = await searchRoots(patterns)
  const realRoots = new Map<string, string>()
  for (const root of roots) realRoots.set(root, await realpathOrSelf(root))

  const matches: { match: string; root: string; below: string; shown: string }[] = []
  const seen = new Set<string>()
  let hiddenSkipped = 0
  for await (const match of globber.globGenerator()) {
    if (seen.has(match)) continue
    seen.add(match)
    const root = roots.find(r => isInside(match, r)) ?? path.dirname(match)
    const below = path.relative(root, match)
    if (!options.includeHiddenFiles && below.split(path.sep).some(segment => segment.startsWith('.'))) {
      hiddenSkipped++
      continue
    }
    const shown = isInside(match, workspace) ? toPosix(path.relative(workspace, match)) : toPosix(match)
    matches.push({ match, root, below, shown })
  }

  // Each file's checks are independent: run them side by side (thousands of files are common).
  const checked = await mapLimit(
    matches,
    16,
    async ({ match, root, below, shown }): Promise<LocalFile | FileError | undefined> => {
      const real = await realpathOrSelf(match)
      const unlinked = path.join(realRoots.get(root) ?? root, below)
      if (!isInside(real, realWorkspace) && (isInside(match, workspace) || real !== unlinked)) {
        return new FileError(
          shown,
          `is a symbolic link (or lies below one) to ${real}, outside the workspace; it is refused so that nothing outside the checkout is published. Copy the file into the workspace or name its real path in 'path'`
        )
      }
      try {
        const stats = await fs.stat(match)
        await fs.access(match, fsConstants.R_OK)
        return stats.isFile() ? { absolutePath: match, path: shown, size: stats.size } : undefined
      } catch (error) {
        return new FileError(
          shown,
          `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check its permissions`
        )
      }
    }
  )
  const problems = checked.filter(c => c instanceof FileError)
  const files = checked.filter((c): c is LocalFile => c !== undefined && !(c instanceof FileError))
  // Code-unit order, not locale order: the same on every runner.
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { files, hiddenSkipped, problems }
}
