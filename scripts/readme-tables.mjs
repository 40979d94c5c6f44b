#!/usr/bin/env node
// The README's input and output tables are generated from the action.yml files, so the docs cannot drift:
//   node scripts/readme-tables.mjs          rewrites the tables in README.md
//   node scripts/readme-tables.mjs --check  exits 1, naming the first difference, when they are stale
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/**
 * Each action's metadata file and the README markers its tables go between:
 * `<!-- {prefix}inputs:start -->` … `<!-- {prefix}inputs:end -->`, and the same for outputs.
 */
export const ACTIONS = [
  { actionYml: 'action.yml', prefix: '' },
  { actionYml: 'merge/action.yml', prefix: 'merge-' },
  { actionYml: 'verify/action.yml', prefix: 'verify-' }
]

/** action.yml's `inputs` and `outputs`, in file order, as a full YAML parser reads them. */
export function parseActionYml(text) {
  const action = parse(text) ?? {}
  return { inputs: action.inputs ?? {}, outputs: action.outputs ?? {} }
}

/** One Markdown table cell: one line, pipes escaped. */
const cell = text => String(text).replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

/** Inline code that survives backticks inside (CommonMark: a longer fence, padded). */
function code(text) {
  const value = cell(text)
  if (!value.includes('`')) return `\`${value}\``
  const longest = Math.max(...(value.match(/`+/g) ?? ['']).map(run => run.length))
  const fence = '`'.repeat(longest + 1)
  return `${fence} ${value} ${fence}`
}

const isRequired = value => value === true || (typeof value === 'string' && /^(true|True|TRUE)$/.test(value))

/** The Markdown tables of one action.yml's inputs (name, description, default, required) and outputs. */
export function renderTables(actionYml, prefix = '') {
  const action = parseActionYml(actionYml)
  const inputs = Object.entries(action.inputs).map(([name, input]) => {
    const fallback =
      input.default === undefined || input.default === null || input.default === '' ? '' : code(input.default)
    return `| \`${name}\` | ${cell(input.description ?? '')} | ${fallback} | ${isRequired(input.required) ? 'yes' : 'no'} |`
  })
  const outputs = Object.entries(action.outputs).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`
  )
  return {
    [`${prefix}inputs`]: ['| Input | Description | Default | Required |', '| --- | --- | --- | --- |', ...inputs].join(
      '\n'
    ),
    [`${prefix}outputs`]: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n')
  }
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, or undefined without both markers. */
export function section(readme, name) {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end, from)
  if (from === -1 || to === -1 || readme.indexOf(start, from + 1) !== -1) return undefined
  return readme
    .slice(from + start.length, to)
    .replace(/^\n/, '')
    .replace(/\n$/, '')
}

/** The README with the text between each pair of markers replaced by its table. */
export function withTables(readme, tables) {
  let text = readme
  for (const [name, table] of Object.entries(tables)) {
    const start = `<!-- ${name}:start -->`
    if (section(text, name) === undefined) {
      throw new Error(`README.md needs exactly one '${start}' followed by '<!-- ${name}:end -->'`)
    }
    const from = text.indexOf(start)
    const to = text.indexOf(`<!-- ${name}:end -->`, from)
    text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`
  }
  return text
}

/** The first line where two texts differ, for a useful --check message. */
function firstDifference(actual, expected) {
  const a = actual.split('\n')
  const b = expected.split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  README.md: ${a[i] ?? '(nothing)'}\n  generated: ${b[i] ?? '(nothing)'}`
  }
  return ''
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const readmePath = path.join(root, 'README.md')
  const sources = ACTIONS.map(action => action.actionYml).join(', ')
  try {
    const readme = readFileSync(readmePath, 'utf8')
    let expected = readme
    for (const { actionYml, prefix } of ACTIONS) {
      let tables
      try {
        tables = renderTables(readFileSync(path.join(root, actionYml), 'utf8'), prefix)
      } catch (error) {
        throw new Error(`${actionYml}: ${error instanceof Error ? error.message : String(error)}`)
      }
      expected = withTables(expected, tables)
    }
    if (process.argv.includes('--check')) {
      if (expected !== readme) {
        console.error(
          `README.md's input/output tables differ from ${sources} at ${firstDifference(readme, expected)}\n` +
            'Run `node scripts/readme-tables.mjs` (npm run docs) and commit README.md.'
        )
        process.exit(1)
      }
      console.log(`README.md tables match ${sources}`)
    } else if (expected !== readme) {
      writeFileSync(readmePath, expected)
      console.log(`README.md tables regenerated from ${sources}`)
    } else {
      console.log(`README.md tables already match ${sources}`)
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(2)
  }
}
