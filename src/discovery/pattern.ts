/**
 * Glob patterns exactly as @actions/glob reads them (the convention every action's `path` input
 * follows): `*`, `**`, `?`, `[...]` through minimatch with the same options (no braces, no extglobs,
 * dot files matched), `!` lines exclude, `#` lines are comments, `~` is the home folder, and a
 * pattern naming a folder also matches everything below it. Ported rather than imported because
 * @actions/glob walks one file at a time with several async calls each (20,000 files took 3 s);
 * the walk in walk.ts reads each folder once instead, using these same matching rules.
 */
import { Minimatch } from 'minimatch'
import * as os from 'node:os'
import * as path from 'node:path'
import { Inputs } from '../constants.js'
import { InputError } from '../errors.js'

const IS_WINDOWS = process.platform === 'win32'

/** What a path matched: a pattern ending in a separator matches folders only. */
export const MatchKind = { None: 0, Directory: 1, File: 2, All: 3 } as const
export type MatchKind = (typeof MatchKind)[keyof typeof MatchKind]

/** Collapses repeated separators (and turns `/` into `\` on Windows), keeping a UNC prefix. */
function normalizeSeparators(p: string): string {
  if (IS_WINDOWS) {
    const backslashed = p.replace(/\//g, '\\')
    return (/^\\\\+[^\\]/.test(backslashed) ? '\\' : '') + backslashed.replace(/\\\\+/g, '\\')
  }
  return p.replace(/\/\/+/g, '/')
}

/** Drops a trailing separator, except from a root (`/`, `C:\`). */
function trimTrailingSeparator(p: string): string {
  const normal = normalizeSeparators(p)
  if (!normal.endsWith(path.sep) || normal === path.sep || (IS_WINDOWS && /^[A-Z]:\\$/i.test(normal))) return normal
  return normal.slice(0, -1)
}

/** `path.dirname` that leaves Windows UNC roots (`\\host\share`) whole. */
function dirname(p: string): string {
  const trimmed = trimTrailingSeparator(p)
  if (IS_WINDOWS && /^\\\\[^\\]+(\\[^\\]+)?$/.test(trimmed)) return trimmed
  const result = path.dirname(trimmed)
  return IS_WINDOWS && /^\\\\[^\\]+\\[^\\]+\\$/.test(result) ? trimTrailingSeparator(result) : result
}

function hasRoot(p: string): boolean {
  const normal = normalizeSeparators(p)
  return IS_WINDOWS ? normal.startsWith('\\') || /^[A-Z]:/i.test(normal) : normal.startsWith('/')
}

function hasAbsoluteRoot(p: string): boolean {
  const normal = normalizeSeparators(p)
  return IS_WINDOWS ? normal.startsWith('\\\\') || /^[A-Z]:\\/i.test(normal) : normal.startsWith('/')
}

/** The root first, then one entry per name: `/a/b` → [`/`, `a`, `b`]. */
function segmentsOf(p: string): string[] {
  const trimmed = trimTrailingSeparator(p)
  if (!hasRoot(trimmed)) return trimmed.split(path.sep)
  const segments: string[] = []
  let remaining = trimmed
  for (let parent = dirname(remaining); parent !== remaining; parent = dirname(remaining)) {
    segments.unshift(path.basename(remaining))
    remaining = parent
  }
  segments.unshift(remaining)
  return segments
}

function joinSegments(segments: readonly string[]): string {
  let result = segments[0]
  let skipSeparator = result.endsWith(path.sep) || (IS_WINDOWS && /^[A-Z]:$/i.test(result))
  for (const segment of segments.slice(1)) {
    if (!skipSeparator) result += path.sep
    skipSeparator = false
    result += segment
  }
  return result
}

/** Escapes glob characters so that a literal path (the workspace, the home folder) matches itself. */
export function globEscape(literal: string): string {
  return (IS_WINDOWS ? literal : literal.replace(/\\/g, '\\\\'))
    .replace(/(\[)(?=[^/]+\])/g, '[[]')
    .replace(/\?/g, '[?]')
    .replace(/\*/g, '[*]')
}

/** The segment as a literal name, or '' when it holds a wildcard. */
function literalOf(segment: string): string {
  let literal = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]
    if (c === '\\' && !IS_WINDOWS && i + 1 < segment.length) {
      literal += segment[++i]
      continue
    }
    if (c === '*' || c === '?') return ''
    if (c === '[' && i + 1 < segment.length) {
      let set = ''
      let closed = -1
      for (let j = i + 1; j < segment.length; j++) {
        const d = segment[j]
        if (d === '\\' && !IS_WINDOWS && j + 1 < segment.length) {
          set += segment[++j]
          continue
        }
        if (d === ']') {
          closed = j
          break
        }
        set += d
      }
      if (closed >= 0) {
        if (set.length > 1) return ''
        if (set) {
          literal += set
          i = closed
          continue
        }
      }
    }
    literal += c
  }
  return literal
}

/** Makes the pattern absolute: `~` is the home folder; anything else not rooted is below the working directory. */
function absolutePattern(pattern: string, line: string): string {
  const literals = segmentsOf(pattern).map(literalOf)
  if (!literals.every((s, i) => (s !== '.' || i === 0) && s !== '..')) {
    throw new InputError(Inputs.Path, `'${line}' has a '.' or '..' segment inside it; write the path without them`)
  }
  if (hasRoot(pattern) && !literals[0]) {
    throw new InputError(Inputs.Path, `'${line}' has a wildcard in its root; start it with a literal folder`)
  }
  const normal = normalizeSeparators(pattern)
  if (normal === '.' || normal.startsWith(`.${path.sep}`)) {
    return normalizeSeparators(globEscape(process.cwd()) + normal.slice(1))
  }
  if (normal === '~' || normal.startsWith(`~${path.sep}`)) {
    return normalizeSeparators(globEscape(os.homedir()) + normal.slice(1))
  }
  // Windows drive- or root-relative (`C:foo`, `\foo`) is resolved as Windows does.
  return hasAbsoluteRoot(normal) ? normal : normalizeSeparators(path.resolve(normal))
}

/** One line of the `path` input. */
export class Pattern {
  /** The literal folder before the first wildcard: where the walk for this pattern starts. */
  readonly searchPath: string
  readonly segments: readonly string[]
  private readonly globstarLast: boolean
  private readonly trailingSeparator: boolean
  private readonly root: RegExp
  private readonly minimatch: Minimatch

  private constructor(
    readonly negate: boolean,
    pattern: string,
    private readonly implicit: boolean
  ) {
    this.segments = segmentsOf(pattern)
    this.trailingSeparator = normalizeSeparators(pattern).endsWith(path.sep)
    this.globstarLast = this.segments[this.segments.length - 1] === '**'
    let foundGlob = false
    const searchSegments = this.segments.map(literalOf).filter(s => !foundGlob && !(foundGlob = s === ''))
    this.searchPath = joinSegments(searchSegments)
    this.root = new RegExp(searchSegments[0].replace(/[[\\^$.|?*+()]/g, '\\$&'), IS_WINDOWS ? 'i' : '')
    const source = trimTrailingSeparator(pattern)
    this.minimatch = new Minimatch(IS_WINDOWS ? source.replace(/\\/g, '/') : source, {
      dot: true,
      nobrace: true,
      nocase: IS_WINDOWS,
      nocomment: true,
      noext: true,
      nonegate: true
    })
  }

  /** A pattern line, with any leading `!`s (each one flips it). */
  static parse(line: string): Pattern {
    let pattern = line.trim()
    let negate = false
    while (pattern.startsWith('!')) {
      negate = !negate
      pattern = pattern.slice(1).trim()
    }
    if (!pattern) throw new InputError(Inputs.Path, `'${line}' has nothing after its '!'; give the pattern to exclude`)
    return new Pattern(negate, absolutePattern(pattern, line), false)
  }

  /** `dir` also means `dir/**` (and `dir/` means `dir/**` for files below it). */
  withDescendants(): Pattern | undefined {
    if (!this.trailingSeparator && this.globstarLast) return undefined
    return new Pattern(this.negate, joinSegments([...this.segments, '**']), true)
  }

  match(itemPath: string): MatchKind {
    let item: string
    if (this.globstarLast) {
      // minimatch matches `/a/**` against `/a/` but not `/a`: the folder itself needs the separator.
      item = normalizeSeparators(itemPath)
      if (!item.endsWith(path.sep) && !this.implicit) item += path.sep
    } else {
      item = trimTrailingSeparator(itemPath)
    }
    if (!this.minimatch.match(item)) return MatchKind.None
    return this.trailingSeparator ? MatchKind.Directory : MatchKind.All
  }

  /** Whether something below `itemPath` may match, so the walk must enter it. */
  partialMatch(itemPath: string): boolean {
    const item = trimTrailingSeparator(itemPath)
    if (dirname(item) === item) return this.root.test(item)
    return this.minimatch.matchOne(item.split(IS_WINDOWS ? /\\+/ : /\/+/), this.minimatch.set[0], true)
  }
}

/** The pattern lines of an input (`#` comments and blank lines dropped), with implicit descendants. */
export function parsePatterns(lines: readonly string[]): Pattern[] {
  const patterns: Pattern[] = []
  for (const raw of lines.flatMap(l => (IS_WINDOWS ? l.replace(/\r\n?/g, '\n') : l).split('\n'))) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const pattern = Pattern.parse(line)
    patterns.push(pattern)
    const descendants = pattern.withDescendants()
    if (descendants) patterns.push(descendants)
  }
  return patterns
}

/** Every include pattern's search path, without those below another one (each folder is walked once). */
export function searchPaths(patterns: readonly Pattern[]): string[] {
  const includes = patterns.filter(p => !p.negate)
  const key = (p: string): string => (IS_WINDOWS ? p.toUpperCase() : p)
  const candidates = new Set(includes.map(p => key(p.searchPath)))
  const result = new Set<string>()
  for (const { searchPath } of includes) {
    let ancestor = false
    for (
      let child = key(searchPath), parent = dirname(child);
      parent !== child;
      child = parent, parent = dirname(child)
    ) {
      if (candidates.has(parent)) {
        ancestor = true
        break
      }
    }
    if (!ancestor) result.add(searchPath)
  }
  return [...result]
}

/** In order, include patterns add what they match and `!` patterns take it away again. */
export function matchAll(patterns: readonly Pattern[], itemPath: string): number {
  let result = 0
  for (const pattern of patterns) {
    if (pattern.negate) result &= ~pattern.match(itemPath)
    else result |= pattern.match(itemPath)
  }
  return result
}

export function partialMatchAny(patterns: readonly Pattern[], itemPath: string): boolean {
  return patterns.some(p => !p.negate && p.partialMatch(itemPath))
}
