#!/usr/bin/env node
// The README's input and output tables are generated from action.yml, so the docs cannot drift:
//   node scripts/readme-tables.mjs          rewrites the tables in README.md
//   node scripts/readme-tables.mjs --check  exits 1, naming the first difference, when they are stale
// No dependencies: it reads the small YAML subset action.yml files use (see parseActionYml), and
// refuses, with the line number, anything it does not understand rather than guess.
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const SECTIONS = ['inputs', 'outputs']

class ActionYmlError extends Error {
  constructor(lineIndex, message) {
    super(`action.yml line ${lineIndex + 1}: ${message}`)
  }
}

const indentOf = line => /^ */.exec(line)[0].length
const isBlank = line => line.trim() === ''
const isComment = line => line.trimStart().startsWith('#')
/** A `key:` or `key: value` line (key plain or quoted); undefined for anything else. */
const KEY =
  /^( *)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]}&*!|>%@`,?:-][^#]*?|-[^\s#][^#]*?)[ \t]*:(?:[ \t]+(.*))?$/

function unquoteKey(key) {
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'")
  if (key.startsWith('"')) return JSON.parse(key)
  return key
}

/** Removes a ` # comment` that follows a plain scalar or a closing quote. */
function stripComment(text) {
  const at = text.search(/(^|[ \t])#/)
  return (at === -1 ? text : text.slice(0, at)).trimEnd()
}

/**
 * Folds the lines of a flow scalar (plain or quoted): a line break is a space, an empty line a
 * newline. Inside quotes the first line keeps its leading and the last its trailing white space.
 */
function foldFlowLines(lines, quoted = false) {
  let out = ''
  let pendingBreaks = 0
  lines.forEach((raw, i) => {
    const last = i === lines.length - 1
    let line = i === 0 ? raw : raw.replace(/^[ \t]+/, '')
    if (!(quoted && last)) line = line.replace(/[ \t]+$/, '')
    if (line === '' && !last) {
      if (i > 0) pendingBreaks++
      return
    }
    if (line === '' && !quoted) return
    if (i > 0) out += pendingBreaks > 0 ? '\n'.repeat(pendingBreaks) : ' '
    pendingBreaks = 0
    out += line
  })
  return out
}

/** After a closing quote only a comment may follow, on that line or on lines of their own. */
function assertNothingAfterQuote(rest, at) {
  const extra = rest
    .split('\n')
    .map(stripComment)
    .find(line => line.trim() !== '')
  if (extra !== undefined) throw new ActionYmlError(at, `unexpected text after a quoted string: ${extra.trim()}`)
}

function singleQuoted(text, at) {
  let end = -1
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") continue
    if (text[i + 1] === "'") i++
    else {
      end = i
      break
    }
  }
  if (end === -1) throw new ActionYmlError(at, 'unterminated single-quoted string')
  assertNothingAfterQuote(text.slice(end + 1), at)
  return foldFlowLines(text.slice(1, end).split('\n'), true).replace(/''/g, "'")
}

const DOUBLE_ESCAPES = {
  0: '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029'
}

function doubleQuoted(text, at) {
  let end = -1
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') {
      end = i
      break
    }
  }
  if (end === -1) throw new ActionYmlError(at, 'unterminated double-quoted string')
  assertNothingAfterQuote(text.slice(end + 1), at)
  const body = text.slice(1, end)
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const char = body[i]
    if (char === '\\') {
      const next = body[i + 1]
      if (next === '\n') {
        // An escaped line break joins the lines with nothing.
        i += 1
        while (body[i + 1] === ' ' || body[i + 1] === '\t') i++
        continue
      }
      const hex = { x: 2, u: 4, U: 8 }[next]
      if (hex) {
        const digits = body.slice(i + 2, i + 2 + hex)
        if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits))
          throw new ActionYmlError(at, `bad escape \\${next}${digits}`)
        out += String.fromCodePoint(parseInt(digits, 16))
        i += 1 + hex
        continue
      }
      if (!(next in DOUBLE_ESCAPES)) throw new ActionYmlError(at, `unknown escape \\${next} in a double-quoted string`)
      out += DOUBLE_ESCAPES[next]
      i += 1
    } else if (char === '\n') {
      // A line break folds to a space; each empty line that follows is a newline.
      out = out.replace(/[ \t]+$/, '')
      let breaks = 0
      while (body[i + 1] === ' ' || body[i + 1] === '\t') i++
      while (body[i + 1] === '\n') {
        breaks++
        i++
        while (body[i + 1] === ' ' || body[i + 1] === '\t') i++
      }
      out += breaks > 0 ? '\n'.repeat(breaks) : ' '
    } else {
      out += char
    }
  }
  return out
}

/** A `|` or `>` block scalar's text, with its chomping (`-` strip, `+` keep, default one newline). */
function blockScalar(header, lines, parentIndent, at) {
  const match = /^([|>])(?:([1-9])([+-]?)|([+-])([1-9]?))?(?:[ \t]+#.*)?$/.exec(header.trim())
  if (!match) throw new ActionYmlError(at, `cannot read the block scalar header '${header.trim()}'`)
  const style = match[1]
  const chomp = match[3] || match[4] || ''
  const explicit = Number(match[2] || match[5] || 0)
  const firstText = lines.find(line => !isBlank(line))
  const indent = explicit ? parentIndent + explicit : firstText === undefined ? parentIndent + 1 : indentOf(firstText)
  if (indent <= parentIndent) throw new ActionYmlError(at, 'the block scalar is not indented below its key')
  // The block ends at the first line indented less than it; only comments may follow.
  let count = lines.findIndex(line => !isBlank(line) && indentOf(line) < indent)
  if (count === -1) count = lines.length
  if (lines.slice(count).some(line => !isBlank(line) && !isComment(line))) {
    throw new ActionYmlError(at, 'a line of the block scalar is indented less than its first line')
  }
  const content = lines.slice(0, count).map(line => (isBlank(line) ? '' : line.slice(indent)))
  let trailing = 0
  while (content.length > 0 && content[content.length - 1] === '') {
    content.pop()
    trailing++
  }
  let body = ''
  if (style === '|') {
    body = content.join('\n')
  } else {
    // Folded: a break between two lines of text is a space; each empty line is a newline; lines
    // indented more than the block keep their line breaks.
    let previous = 'none'
    let blanks = 0
    for (const line of content) {
      if (line === '') {
        blanks++
        continue
      }
      const kind = /^[ \t]/.test(line) ? 'more' : 'text'
      if (previous === 'none') body += '\n'.repeat(blanks)
      else if (previous === 'text' && kind === 'text') body += blanks > 0 ? '\n'.repeat(blanks) : ' '
      else body += '\n'.repeat(blanks + 1)
      body += line
      previous = kind
      blanks = 0
    }
  }
  if (content.length === 0) return chomp === '+' ? '\n'.repeat(trailing) : ''
  if (chomp === '-') return body
  if (chomp === '+') return `${body}\n${'\n'.repeat(trailing)}`
  return `${body}\n`
}

const NUMBER = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/

/** A scalar: its first line's text after `key:`, then its continuation lines (indented below the key). */
function scalar(first, continuation, keyIndent, at) {
  const text = first ?? ''
  if (text === '' || text.startsWith('#')) {
    // The value may start on the next line (more indented): a scalar, but not a nested block.
    const next = continuation.findIndex(line => !isBlank(line) && !isComment(line))
    if (next === -1) return null
    const start = continuation[next].trim()
    if (KEY.test(` ${start}`) || /^-(\s|$)/.test(start) || /^[|>]/.test(start)) {
      throw new ActionYmlError(at, 'expected a single value here, found a nested block')
    }
    return scalar(start, continuation.slice(next + 1), keyIndent, at + next + 1)
  }
  if (text.startsWith('|') || text.startsWith('>')) return blockScalar(text, continuation, keyIndent, at)
  const all = [text, ...continuation].join('\n')
  if (text.startsWith("'")) return singleQuoted(all, at)
  if (text.startsWith('"')) return doubleQuoted(all, at)
  if (text === '{}' || text === '[]' || /^(\{\}|\[\])\s+#/.test(text)) return text.startsWith('{') ? {} : []
  if (/^[[{&*!%@`]/.test(text)) {
    throw new ActionYmlError(
      at,
      `flow collections, anchors, aliases, tags and reserved characters are not supported: ${text}`
    )
  }
  // A plain scalar may go on over more-indented lines; a comment ends it.
  const lines = [text]
  for (const line of continuation) {
    if (isComment(line)) break
    lines.push(line)
    if (/(^|[ \t])#/.test(line)) break
  }
  const value = foldFlowLines(lines.map(stripComment)).replace(/\n+$/, '')
  if (/:(\s|$)/.test(value)) {
    throw new ActionYmlError(at, `'${value.split('\n')[0]}' needs quotes: ': ' cannot appear in a plain YAML value`)
  }
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  if (/^(null|Null|NULL|~)$/.test(value)) return null
  if (NUMBER.test(value)) return Number(value)
  if (/^0x[0-9a-fA-F]+$/.test(value)) return parseInt(value.slice(2), 16)
  if (/^0o[0-7]+$/.test(value)) return parseInt(value.slice(2), 8)
  return value
}

/**
 * The `key: value` pairs of one mapping between `from` and `to`, whose keys sit at one indent;
 * each value is passed its own lines, so nested blocks are read (or skipped) by the caller.
 */
function mapping(lines, from, to, what) {
  const entries = []
  let keyIndent
  for (let i = from; i < to; i++) {
    const line = lines[i]
    if (isBlank(line) || isComment(line)) continue
    if (/^ *\t/.test(line)) throw new ActionYmlError(i, 'tabs cannot indent YAML')
    const indent = indentOf(line)
    keyIndent ??= indent
    if (indent !== keyIndent) {
      throw new ActionYmlError(i, `expected a key of ${what} at indent ${keyIndent}, found indent ${indent}`)
    }
    const match = KEY.exec(line)
    if (!match) throw new ActionYmlError(i, `expected 'name:' in ${what}, found '${line.trim()}'`)
    let end = i + 1
    while (end < to && (isBlank(lines[end]) || isComment(lines[end]) || indentOf(lines[end]) > keyIndent)) end++
    // Trailing blank and comment lines belong to nobody (a `|+` block loses its trailing empty lines).
    let last = end
    while (last > i + 1 && (isBlank(lines[last - 1]) || isComment(lines[last - 1]))) last--
    entries.push({ key: unquoteKey(match[2]), first: match[3], start: i + 1, end: last, line: i, indent })
    i = end - 1
  }
  return entries
}

/**
 * Reads action.yml's `inputs` and `outputs`: { inputs: { name: { description, required, default } },
 * outputs: { name: { description } } }, in file order. Other top-level keys (runs, branding, …)
 * are skipped unread. Supports plain, quoted and block (`|`, `>`, chomping) scalars and comments.
 */
export function parseActionYml(text) {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
  let from = 0
  while (from < lines.length && (isBlank(lines[from]) || isComment(lines[from]) || /^%/.test(lines[from]))) from++
  if (lines[from]?.trim() === '---') from++
  const end = lines.findIndex((line, i) => i >= from && /^\.\.\.\s*$/.test(line))
  const to = end === -1 ? lines.length : end
  const result = Object.fromEntries(SECTIONS.map(section => [section, {}]))
  for (const top of mapping(lines, from, to, 'the top level')) {
    if (!SECTIONS.includes(top.key)) continue
    if (top.first !== undefined && stripComment(top.first) !== '') {
      const value = scalar(top.first, [], top.indent, top.line)
      if (value !== null && !(typeof value === 'object' && Object.keys(value).length === 0)) {
        throw new ActionYmlError(top.line, `${top.key} must be a mapping`)
      }
      continue
    }
    for (const item of mapping(lines, top.start, top.end, top.key)) {
      const properties = {}
      if (item.first !== undefined && stripComment(item.first) !== '') {
        throw new ActionYmlError(item.line, `${top.key}.${item.key} must be a mapping (description, …)`)
      }
      for (const property of mapping(lines, item.start, item.end, `${top.key}.${item.key}`)) {
        properties[property.key] = scalar(
          property.first,
          lines.slice(property.start, property.end),
          property.indent,
          property.line
        )
      }
      result[top.key][item.key] = properties
    }
  }
  return result
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

/** The Markdown tables of action.yml's inputs (name, description, default, required) and outputs. */
export function renderTables(actionYml) {
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
    inputs: ['| Input | Description | Default | Required |', '| --- | --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n')
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
    const end = `<!-- ${name}:end -->`
    if (section(text, name) === undefined) {
      throw new Error(`README.md needs exactly one '${start}' followed by '${end}'`)
    }
    const from = text.indexOf(start)
    const to = text.indexOf(end, from)
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
  try {
    const readme = readFileSync(readmePath, 'utf8')
    const expected = withTables(readme, renderTables(readFileSync(path.join(root, 'action.yml'), 'utf8')))
    if (process.argv.includes('--check')) {
      if (expected !== readme) {
        console.error(
          `README.md's input/output tables differ from action.yml at ${firstDifference(readme, expected)}\n` +
            'Run `node scripts/readme-tables.mjs` (npm run docs) and commit README.md.'
        )
        process.exit(1)
      }
      console.log('README.md tables match action.yml')
    } else if (expected !== readme) {
      writeFileSync(readmePath, expected)
      console.log('README.md tables regenerated from action.yml')
    } else {
      console.log('README.md tables already match action.yml')
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(2)
  }
}
