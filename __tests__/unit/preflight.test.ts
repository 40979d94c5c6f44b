import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Inputs } from '../../src/constants.js'
import { FileError } from '../../src/errors.js'
import { parseInputs } from '../../src/inputs/pin.js'
import { preflight } from '../../src/preflight.js'
import type { Logger } from '../../src/types.js'

let workspace: string

beforeEach(async () => {
  workspace = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-')))
  await fs.mkdir(path.join(workspace, 'dist'))
  await fs.writeFile(path.join(workspace, 'dist', 'app.js'), 'app')
})
afterEach(async () => {
  await fs.rm(workspace, { recursive: true, force: true })
})

function setUp(values: Partial<Record<Inputs, string>>): { run: () => ReturnType<typeof preflight>; lines: string[] } {
  const lines: string[] = []
  const log: Logger = {
    debug: m => lines.push(`debug: ${m}`),
    info: m => lines.push(`info: ${m}`),
    notice: m => lines.push(`notice: ${m}`),
    warning: m => lines.push(`warning: ${m}`)
  }
  const inputs = parseInputs(name => values[name] ?? '', { workspace, runnerTemp: workspace })
  return { run: () => preflight(inputs, { runnerTemp: workspace }, log), lines }
}

test("the action's own manifest inside the glob is not pinned, and one notice names it (issue 12)", async () => {
  await fs.writeFile(
    path.join(workspace, 'dist', 'numbers-manifest.json'),
    '{"schema": "numbers-pin-action/manifest@1", "results": []}'
  )
  const { run, lines } = setUp({
    [Inputs.Path]: 'dist/**',
    [Inputs.Pin]: 'false',
    [Inputs.ManifestPath]: 'dist/numbers-manifest.json'
  })
  const plan = await run()
  expect(plan.files.map(f => f.path)).toEqual(['dist/app.js'])
  expect(lines.filter(l => l.startsWith('notice: Excluded from pinning'))).toEqual([
    expect.stringContaining('dist/numbers-manifest.json')
  ])
})

test('a link into .git is refused before anything else happens (issue 11)', async () => {
  await fs.mkdir(path.join(workspace, '.git'))
  await fs.writeFile(path.join(workspace, '.git', 'config'), 'token')
  await fs.symlink(path.join('..', '.git', 'config'), path.join(workspace, 'dist', 'c.txt'))
  const { run } = setUp({ [Inputs.Path]: 'dist/**', [Inputs.Pin]: 'false', [Inputs.IncludeHiddenFiles]: 'true' })
  const error = await run().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(FileError)
  expect((error as FileError).message).toMatch(/^dist\/c\.txt: is a symbolic link .*\.git/)
})

test('skipped hidden files are counted in the log and named in debug', async () => {
  await fs.writeFile(path.join(workspace, 'dist', '.env'), 'SECRET')
  const { run, lines } = setUp({ [Inputs.Path]: 'dist/**', [Inputs.Pin]: 'false' })
  await run()
  expect(lines).toContain('debug: skipped hidden file: dist/.env')
  expect(lines.some(l => l.startsWith('info: 1 hidden file matched but was skipped'))).toBe(true)
})
