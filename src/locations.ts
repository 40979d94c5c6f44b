import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { Inputs } from './constants.js'
import { FileError, PreflightError } from './errors.js'
import { isInside } from './paths.js'
import type { Logger } from './types.js'

/** Where a run writes its results; each is checked before the first (paid) request. */
export interface OutputLocations {
  manifestPath: string
  checksumsPath: string
  workspace: string
  runnerTemp?: string
  /** The runner's GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, when set. */
  outputFile?: string
  summaryFile?: string
}

/** How much of an existing file is read to tell whether this action wrote it. */
const SNIFF_BYTES = 4096
const MANIFEST_SCHEMA = /^\s*\{\s*"schema"\s*:\s*"numbers-pin-action\/manifest@/
const CHECKSUM_LINE = /^[0-9a-f]{64} [ *]\S/

async function head(file: string): Promise<string> {
  const handle = await fs.open(file, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

/**
 * Problems with writing `file` later: a directory in its place, a file in place of a folder above
 * it, no permission, or an existing file that `isOurs` does not recognise (never overwritten).
 */
async function problemWith(
  file: string,
  input: string,
  isOurs: (head: string) => boolean
): Promise<string | undefined> {
  const stats = await fs.lstat(file).catch(() => undefined)
  if (stats?.isDirectory()) return `${input}: ${file} is a directory; give the path of a file`
  if (stats && !stats.isFile()) return `${input}: ${file} exists and is not a regular file; give another path`
  if (stats && stats.size > 0 && !isOurs(await head(file))) {
    return `${input}: ${file} exists and was not written by this action; it is not overwritten: choose another path or remove the file`
  }
  try {
    await fs.mkdir(path.dirname(file), { recursive: true })
    // A probe beside it: the folder must take a new file (the results are written to one, then renamed).
    const probe = path.join(path.dirname(file), `.numbers-probe-${process.pid}-${randomBytes(4).toString('hex')}`)
    await (await fs.open(probe, 'wx')).close()
    await fs.rm(probe, { force: true })
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a file stands where a folder above it should be' : code
    return `${input}: cannot write ${file} (${why}); choose a path in a folder the job can write`
  }
}

/** A runner file command (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) that is not writable. */
async function fileCommandProblem(file: string | undefined, name: string): Promise<string | undefined> {
  if (!file) return undefined
  try {
    await (await fs.open(file, 'a')).close()
    return undefined
  } catch (error) {
    return `${name} (${file}) cannot be written (${(error as NodeJS.ErrnoException).code}); the runner's file is broken, so no output could be set`
  }
}

/**
 * Checks every place the run will write before anything is paid for; refuses what would fail or
 * overwrite someone else's file, and warns about results written outside the workspace and the
 * runner's temp folder (they are not where a later step looks, and may not be cleaned up).
 */
export async function checkOutputLocations(locations: OutputLocations, log: Logger): Promise<void> {
  const problems = (
    await Promise.all([
      problemWith(locations.manifestPath, Inputs.ManifestPath, text => MANIFEST_SCHEMA.test(text)),
      problemWith(locations.checksumsPath, Inputs.ChecksumsPath, text => CHECKSUM_LINE.test(text)),
      fileCommandProblem(locations.outputFile, 'GITHUB_OUTPUT'),
      fileCommandProblem(locations.summaryFile, 'GITHUB_STEP_SUMMARY')
    ])
  ).filter((p): p is string => p !== undefined)
  if (problems.length === 1) throw new Error(problems[0])
  if (problems.length > 1)
    throw new PreflightError(
      problems.map(p => new Error(p)),
      'results could not be written'
    )

  const allowed = [locations.workspace, locations.runnerTemp].filter((d): d is string => !!d).map(d => path.resolve(d))
  for (const [input, file] of [
    [Inputs.ManifestPath, locations.manifestPath],
    [Inputs.ChecksumsPath, locations.checksumsPath]
  ]) {
    if (!allowed.some(dir => isInside(file, dir))) {
      log.warning(
        new FileError(file, `${input} is outside the workspace and RUNNER_TEMP; later steps may not find it`).message
      )
    }
  }
}
