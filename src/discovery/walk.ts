/**
 * The walk behind discovery: every folder a pattern may match into is read once (with the type of
 * each entry), so plain files and folders need no further call; only links (and entries of unknown
 * type) are stat-ed. Synchronous on purpose: 100,000 small files are listed in a fraction of a second this
 * way, while a promise per file (as @actions/glob does) costs seconds and nothing else runs meanwhile.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { MatchKind, matchAll, partialMatchAny, searchPaths, type Pattern } from './pattern.js'

/** The file-system calls discovery makes; tests inject faults (an unreadable folder) through it. */
export interface FileSystem {
  /** Throws when the folder cannot be opened; iterating may throw too (a listing that fails midway). */
  readdir(dir: string): Iterable<fs.Dirent>
  /** Follows links. */
  stat(file: string): fs.Stats
  lstat(file: string): fs.Stats
  realpath(file: string): string
  /** Throws when the file cannot be read. */
  access(file: string): void
}

export const nodeFileSystem: FileSystem = {
  readdir: dir => entriesOf(fs.opendirSync(dir, { bufferSize: 256 })),
  stat: file => fs.statSync(file),
  lstat: file => fs.lstatSync(file),
  realpath: file => fs.realpathSync.native(file),
  access: file => fs.accessSync(file, fs.constants.R_OK)
}

/** A folder's entries a few hundred at a time: a folder of 100,000 files is never listed whole in memory. */
function* entriesOf(dir: fs.Dir): Generator<fs.Dirent, void, undefined> {
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) yield entry
  } finally {
    dir.closeSync()
  }
}

/**
 * Called for each path the patterns match that is not a folder: `path` as walked (a link keeps its
 * own path), `real` with every link on the way resolved, and the target's stats when walking needed
 * them (links, entries of unknown type). Judged as found, so no list of candidates builds up.
 */
export type OnFile = (path: string, real: string, stats?: fs.Stats) => void

/** A folder that could not be listed, or an entry that could not be stat-ed (a link loop: ELOOP). */
export interface WalkFault {
  path: string
  code: string
  listing: boolean
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error'
/** Gone (a broken link, or removed while walking): omitted, as @actions/glob omits broken links. */
const gone = (error: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes(codeOf(error))
const childOf = (dir: string, name: string): string => (dir.endsWith(path.sep) ? dir + name : dir + path.sep + name)

/** Everything the patterns match, each path at most once and in no particular order, to `onFile`; returns the faults. */
export function walk(patterns: readonly Pattern[], fileSystem: FileSystem, onFile: OnFile): WalkFault[] {
  const faults: WalkFault[] = []

  /** `ancestors`: real paths of the folders above, so a link back up is not entered again. */
  const enter = (dir: string, real: string, ancestors: readonly string[]): void => {
    if (ancestors.includes(real)) return
    const fault = (error: unknown): void => {
      if (!gone(error)) faults.push({ path: dir, code: codeOf(error), listing: true })
    }
    let entries: Iterator<fs.Dirent>
    try {
      entries = fileSystem.readdir(dir)[Symbol.iterator]()
    } catch (error) {
      return fault(error)
    }
    const chain = [...ancestors, real]
    // Files are judged as they are listed; folders and links wait until the listing is closed, so
    // one folder at a time is open however deep the tree.
    const later: fs.Dirent[] = []
    try {
      for (;;) {
        let next: IteratorResult<fs.Dirent>
        try {
          next = entries.next()
        } catch (error) {
          fault(error)
          break
        }
        if (next.done) break
        const entry = next.value
        if (entry.isFile()) visit(childOf(dir, entry.name), chain, entry, childOf(real, entry.name))
        else later.push(entry)
      }
    } finally {
      entries.return?.()
    }
    for (const entry of later) visit(childOf(dir, entry.name), chain, entry, childOf(real, entry.name))
  }

  /** `entry` and `real` are known for a folder's children; a search path has neither. */
  const visit = (item: string, ancestors: readonly string[], entry?: fs.Dirent, real?: string): void => {
    const match = matchAll(patterns, item)
    if (entry?.isFile() && real !== undefined) {
      if (match & MatchKind.File) onFile(item, real)
      return
    }
    if (!match && !partialMatchAny(patterns, item)) return
    if (entry?.isDirectory() && real !== undefined) return enter(item, real, ancestors)

    // A link, an entry of unknown type, or a search path: follow it.
    let stats: fs.Stats
    let resolved: string
    try {
      stats = fileSystem.stat(item)
      resolved = real !== undefined && !entry?.isSymbolicLink() ? real : fileSystem.realpath(item)
    } catch (error) {
      if (!gone(error)) faults.push({ path: item, code: codeOf(error), listing: false })
      return
    }
    if (stats.isDirectory()) enter(item, resolved, ancestors)
    else if (match & MatchKind.File) onFile(item, resolved, stats)
  }

  for (const searchPath of searchPaths(patterns)) {
    try {
      fileSystem.lstat(searchPath)
    } catch (error) {
      if (!gone(error)) faults.push({ path: searchPath, code: codeOf(error), listing: false })
      continue
    }
    visit(searchPath, [])
  }
  return faults
}
