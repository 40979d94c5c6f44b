#!/usr/bin/env node
// The README's input and output tables are generated from action.yml, so the docs cannot drift:
// `node scripts/readme-tables.mjs` rewrites them, `--check` fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const cell = text => String(text).replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

/** Markdown tables of action.yml's inputs and outputs. */
export function renderTables(actionYml) {
  const action = parse(actionYml)
  const inputs = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const fallback = input.default === undefined || input.default === '' ? '' : `\`${cell(input.default)}\``
    return `| \`${name}\` | ${cell(input.description ?? '')} | ${fallback} | ${input.required ? 'yes' : 'no'} |`
  })
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`
  )
  return {
    inputs: ['| Input | Description | Default | Required |', '| --- | --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n')
  }
}

/** The README with the text between each pair of markers replaced by the generated table. */
export function withTables(readme, tables) {
  let text = readme
  for (const [name, table] of Object.entries(tables)) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from === -1 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`)
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`
  }
  return text
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync('README.md', 'utf8')
  const expected = withTables(readme, renderTables(readFileSync('action.yml', 'utf8')))
  if (process.argv.includes('--check')) {
    if (expected !== readme) {
      console.error('README.md tables differ from action.yml: run `npm run docs` and commit README.md')
      process.exit(1)
    }
    console.log('README.md tables match action.yml')
  } else {
    writeFileSync('README.md', expected)
  }
}
