import { execFileSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { PreflightError } from '../../src/errors.js'
import { checkOutputLocations, type OutputLocations } from '../../src/locations.js'
import type { Logger } from '../../src/types.js'

let root: string
let workspace: string
let runnerTemp: string
let outside: string

beforeEach(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'locations-')))
  workspace = path.join(root, 'workspace')
  runnerTemp = path.join(root, 'runner-temp')
  outside = path.join(root, 'elsewhere')
  for (const dir of [workspace, runnerTemp, outside]) await fs.mkdir(dir)
})
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

const MANIFEST_HEAD =
  '{\n  "schema": "numbers-pin-action/manifest@1",\n  "actionVersion": "1.0.0",\n  "results": []\n}\n'
const CHECKSUM_LINE = `${'a'.repeat(64)}  dist/app.js\n`

/** Runs the check with the manifest and checksums in the workspace unless told otherwise; returns the warnings. */
async function check(locations: Partial<OutputLocations> = {}): Promise<string[]> {
  const warnings: string[] = []
  const log: Logger = { debug: () => {}, info: () => {}, notice: () => {}, warning: m => warnings.push(m) }
  await checkOutputLocations(
    {
      manifestPath: path.join(workspace, 'numbers-manifest.json'),
      checksumsPath: path.join(workspace, 'numbers-checksums.txt'),
      workspace,
      runnerTemp,
      ...locations
    },
    log
  )
  return warnings
}

async function failure(locations: Partial<OutputLocations>): Promise<Error> {
  return check(locations).then(
    () => {
      throw new Error('expected the check to fail')
    },
    (error: Error) => error
  )
}

/** Every file and folder below `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true })).sort()
}

test('new files in the workspace pass without a warning, and no probe file is left behind', async () => {
  expect(await check()).toEqual([])
  expect(await tree(root)).toEqual(['elsewhere', 'runner-temp', 'workspace'])
})

test('a folder that does not exist yet is created, and left empty', async () => {
  const manifestPath = path.join(workspace, 'out', 'deep', 'manifest.json')
  expect(await check({ manifestPath })).toEqual([])
  expect(await tree(path.join(workspace, 'out'))).toEqual(['deep'])
})

test('a directory in place of the manifest is refused', async () => {
  const manifestPath = path.join(workspace, 'manifest.json')
  await fs.mkdir(manifestPath)
  const error = await failure({ manifestPath })
  expect(error).not.toBeInstanceOf(PreflightError)
  expect(error.message).toBe(`manifest-path: ${manifestPath} is a directory; give the path of a file`)
})

test('a file in place of a folder above the manifest is refused', async () => {
  await fs.writeFile(path.join(workspace, 'blocker'), 'a file')
  const manifestPath = path.join(workspace, 'blocker', 'sub', 'manifest.json')
  expect((await failure({ manifestPath })).message).toBe(
    `manifest-path: cannot write ${manifestPath} (a file stands where a folder above it should be); choose a path in a folder the job can write`
  )
})

test('a link or a FIFO in place of the checksums file is refused, never followed or opened', async () => {
  const target = path.join(outside, 'target.txt')
  await fs.writeFile(target, 'keep me')
  const checksumsPath = path.join(workspace, 'link.txt')
  await fs.symlink(target, checksumsPath)
  expect((await failure({ checksumsPath })).message).toBe(
    `checksums-path: ${checksumsPath} exists and is not a regular file; give another path`
  )
  const fifo = path.join(workspace, 'fifo')
  execFileSync('mkfifo', [fifo])
  expect((await failure({ checksumsPath: fifo })).message).toMatch(/exists and is not a regular file/)
  expect(await fs.readFile(target, 'utf8')).toBe('keep me')
})

test("an existing file that is not this action's manifest is refused, and left as it is", async () => {
  const manifestPath = path.join(workspace, 'package.json')
  for (const content of [
    '{"name": "app", "version": "1.0.0"}',
    '{"schema": "someone-else/manifest@1"}',
    '{"results": [], "schema": "numbers-pin-action/manifest@1"}',
    'numbers-pin-action/manifest@1'
  ]) {
    await fs.writeFile(manifestPath, content)
    expect((await failure({ manifestPath })).message).toBe(
      `manifest-path: ${manifestPath} exists and was not written by this action; it is not overwritten: choose another path or remove the file`
    )
    expect(await fs.readFile(manifestPath, 'utf8')).toBe(content)
  }
})

test("an existing manifest of this action (an earlier run's) is accepted, however it is spaced", async () => {
  const manifestPath = path.join(workspace, 'numbers-manifest.json')
  for (const content of [
    MANIFEST_HEAD,
    '{"schema": "numbers-pin-action/manifest@1"}',
    '  \n{ "schema" :"numbers-pin-action/manifest@2", "results": [] }'
  ]) {
    await fs.writeFile(manifestPath, content)
    expect(await check({ manifestPath })).toEqual([])
  }
})

test('an existing empty file is accepted', async () => {
  await fs.writeFile(path.join(workspace, 'numbers-manifest.json'), '')
  await fs.writeFile(path.join(workspace, 'numbers-checksums.txt'), '')
  expect(await check()).toEqual([])
})

test('an existing checksums file is accepted; another file in its place is refused', async () => {
  const checksumsPath = path.join(workspace, 'numbers-checksums.txt')
  await fs.writeFile(checksumsPath, CHECKSUM_LINE.repeat(3))
  expect(await check({ checksumsPath })).toEqual([])
  await fs.writeFile(checksumsPath, `${'b'.repeat(64)} *dist/app.bin\n`)
  expect(await check({ checksumsPath })).toEqual([])
  await fs.writeFile(checksumsPath, 'release notes\n')
  expect((await failure({ checksumsPath })).message).toMatch(
    /^checksums-path: .* exists and was not written by this action; it is not overwritten/
  )
  // A manifest at the checksums path is not a checksums file either.
  await fs.writeFile(checksumsPath, MANIFEST_HEAD)
  expect((await failure({ checksumsPath })).message).toMatch(/^checksums-path: .* was not written by this action/)
})

test('a GITHUB_OUTPUT or GITHUB_STEP_SUMMARY that cannot be written is refused', async () => {
  const outputFile = path.join(root, 'output-dir')
  await fs.mkdir(outputFile)
  expect((await failure({ outputFile })).message).toBe(
    `GITHUB_OUTPUT (${outputFile}) cannot be written (EISDIR); the runner's file is broken, so no output could be set`
  )
  expect((await failure({ summaryFile: outputFile })).message).toMatch(
    /^GITHUB_STEP_SUMMARY \(.*\) cannot be written \(EISDIR\)/
  )
})

test('writable runner files pass and keep their content', async () => {
  const outputFile = path.join(runnerTemp, 'output')
  const summaryFile = path.join(runnerTemp, 'summary')
  await fs.writeFile(outputFile, 'earlier=1\n')
  expect(await check({ outputFile, summaryFile })).toEqual([])
  expect(await fs.readFile(outputFile, 'utf8')).toBe('earlier=1\n')
})

test('results outside the workspace and RUNNER_TEMP are written, with a warning for each', async () => {
  const manifestPath = path.join(outside, 'manifest.json')
  const checksumsPath = path.join(outside, 'sums.txt')
  const warnings = await check({ manifestPath, checksumsPath })
  expect(warnings).toEqual([
    `${manifestPath}: manifest-path is outside the workspace and RUNNER_TEMP; later steps may not find it`,
    `${checksumsPath}: checksums-path is outside the workspace and RUNNER_TEMP; later steps may not find it`
  ])
})

test('results in RUNNER_TEMP are not warned about; without RUNNER_TEMP they are', async () => {
  const manifestPath = path.join(runnerTemp, 'manifest.json')
  expect(await check({ manifestPath })).toEqual([])
  expect(await check({ manifestPath, runnerTemp: undefined })).toEqual([
    expect.stringContaining('manifest-path is outside the workspace and RUNNER_TEMP')
  ])
})

test('a sibling folder whose name starts with the workspace name is outside it', async () => {
  const sibling = `${workspace}-other`
  await fs.mkdir(sibling)
  const warnings = await check({ manifestPath: path.join(sibling, 'manifest.json') })
  expect(warnings).toEqual([expect.stringContaining('manifest-path is outside the workspace')])
})

test('several problems are reported together as one PreflightError, and no warning is given', async () => {
  const manifestPath = path.join(workspace, 'is-a-dir')
  await fs.mkdir(manifestPath)
  const checksumsPath = path.join(outside, 'notes.txt')
  await fs.writeFile(checksumsPath, 'mine')
  const outputFile = path.join(root, 'output-dir')
  await fs.mkdir(outputFile)
  const warnings: string[] = []
  const error = await checkOutputLocations(
    { manifestPath, checksumsPath, workspace, runnerTemp, outputFile, summaryFile: outputFile },
    { debug: () => {}, info: () => {}, notice: () => {}, warning: m => warnings.push(m) }
  ).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(PreflightError)
  const { problems, message } = error as PreflightError
  expect(problems.map(p => p.message)).toEqual([
    expect.stringMatching(/^manifest-path: .* is a directory/),
    expect.stringMatching(/^checksums-path: .* was not written by this action/),
    expect.stringMatching(/^GITHUB_OUTPUT .* \(EISDIR\)/),
    expect.stringMatching(/^GITHUB_STEP_SUMMARY .* \(EISDIR\)/)
  ])
  expect(message.split('\n')[0]).toBe('results could not be written:')
  expect(warnings).toEqual([])
  expect(await tree(workspace)).toEqual(['is-a-dir'])
})
