#!/usr/bin/env node
// `npm run bundle`: builds each action entry with ncc into dist/, then records the hash of the sources
// it was built from (dist/sources.sha256), which `npm test` compares before testing the bundle.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { HASH_FILE, ROOT, sourceHash } from './source-hash.mjs'

/** Entry → output directory: each action's runs.main is `<out>/index.js`. */
const ENTRIES = [
  { entry: 'src/index.ts', out: 'dist' },
  { entry: 'src/merge/index.ts', out: 'dist/merge' },
  { entry: 'src/verify/index.ts', out: 'dist/verify' },
  { entry: 'src/nid/worker.ts', out: 'dist/nid-worker' },
  // The repository's Numbers mock, runnable with nothing but Node (`npm run mock`, scripts/try-it.sh --pin).
  { entry: '__fixtures__/numbers-mock-cli.ts', out: 'dist/mock' }
]

const ncc = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js')

/** Builds one entry into its own folder; resolves to ncc's exit code. */
function build({ entry }, out) {
  const args = [ncc, 'build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--target', 'es2022']
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' })
  return new Promise(resolve => child.on('close', code => resolve(code ?? 1)))
}

// Each entry is built into a folder of its own in a staging folder, two at a time (ncc is mostly one
// core), and dist/ is replaced only once every build succeeded: an interrupted or failed build never
// leaves dist/ half-made. Replaced whole, so a file the build no longer makes shows up as deleted.
const stage = mkdtempSync(path.join(ROOT, '.dist-build-'))
try {
  const queue = ENTRIES.map((entry, index) => ({ entry, out: path.join(stage, String(index)) }))
  const failed = []
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if ((await build(job.entry, job.out)) !== 0) failed.push(job.entry.entry)
    }
  }
  await Promise.all([worker(), worker()])
  if (failed.length > 0) {
    console.error(`bundle: ncc failed on ${failed.join(', ')}; dist/ left as it was`)
    process.exit(1)
  }
  const built = path.join(stage, 'dist')
  ENTRIES.forEach(({ out }, index) => {
    mkdirSync(path.dirname(path.join(stage, out)), { recursive: true })
    renameSync(path.join(stage, String(index)), path.join(stage, out))
  })
  rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true })
  renameSync(built, path.join(ROOT, 'dist'))
} finally {
  rmSync(stage, { recursive: true, force: true })
}
writeFileSync(HASH_FILE, `${sourceHash()}\n`)
console.log(
  `bundle: ${ENTRIES.length} entr${ENTRIES.length === 1 ? 'y' : 'ies'} built, ${path.relative(ROOT, HASH_FILE)} written`
)
