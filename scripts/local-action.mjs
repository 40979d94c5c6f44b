#!/usr/bin/env node
// `npm run local-action [env file]`: runs the action's TypeScript sources with @github/local-action,
// inputs from .env (copy .env.example). RUNNER_TEMP (manifest, checksums) and the job summary go to a
// directory of their own, and the summary starts empty each run instead of growing.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The module whose exported run() local-action calls (src/index.ts only calls it, for the bundle). */
const ENTRY = 'src/actions/pin.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const envFile = process.argv[2] ?? '.env'
if (!existsSync(path.resolve(root, envFile))) {
  console.error(`local-action: no ${envFile}: copy .env.example to .env first`)
  process.exit(1)
}
const temp = path.join(os.tmpdir(), 'numbers-local-action')
const summary = path.join(temp, 'summary.md')
mkdirSync(temp, { recursive: true })
writeFileSync(summary, '')

const bin = path.join(root, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js')
const run = spawnSync(process.execPath, [bin, '.', ENTRY, envFile], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary }
})
console.log(`\nlocal-action: RUNNER_TEMP is ${temp}; the job summary is ${summary}`)
process.exit(run.status ?? 1)
