#!/usr/bin/env node
// `npm run bundle`: builds each action entry with ncc into dist/, then records the hash of the sources
// it was built from (dist/sources.sha256), which `npm test` compares before testing the bundle.
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
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
// Emptied first, so a file the build no longer makes shows up as deleted in check-dist.
rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true })
for (const { entry, out } of ENTRIES) {
  const args = [ncc, 'build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--target', 'es2022']
  const build = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) {
    console.error(`bundle: ncc failed on ${entry}`)
    process.exit(build.status ?? 1)
  }
}
writeFileSync(HASH_FILE, `${sourceHash()}\n`)
console.log(
  `bundle: ${ENTRIES.length} entr${ENTRIES.length === 1 ? 'y' : 'ies'} built, ${path.relative(ROOT, HASH_FILE)} written`
)
