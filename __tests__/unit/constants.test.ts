import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import {
  ACTION_VERSION,
  CHUNK_SIZE,
  DEFAULT_GATEWAY_URL,
  DEFAULT_MAX_FILE_SIZE,
  DEFAULT_NID_API_URL,
  DEFAULT_PIN_API_URL,
  Inputs,
  MAX_LINKS_PER_NODE,
  Outputs,
  PIN_MONTHLY_COST_NUM
} from '../../src/constants.js'
import { parseInputs } from '../../src/inputs/pin.js'
import { parseSize } from '../../src/inputs/readers.js'

const root = path.resolve(import.meta.dirname, '..', '..')
const packageJson = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as { version: string }
const actionYml = await fs.readFile(path.join(root, 'action.yml'), 'utf8')

/**
 * The keys directly under a top-level section of action.yml (`inputs:` or `outputs:`), with the
 * scalar `default:` of each: a small reader for this file's plain layout (two-space indentation),
 * with no YAML parser.
 */
function section(name: string): Map<string, { default?: string }> {
  const lines = actionYml.split(/\r?\n/)
  const start = lines.findIndex(line => line === `${name}:`)
  if (start === -1) throw new Error(`action.yml has no top-level '${name}:'`)
  const keys = new Map<string, { default?: string }>()
  let current: { default?: string } | undefined
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break // the next top-level key
    const key = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)
    if (key) {
      if (keys.has(key[1])) throw new Error(`action.yml declares '${name}.${key[1]}' twice`)
      current = {}
      keys.set(key[1], current)
      continue
    }
    const fallback = /^ {4}default:\s*(.*)$/.exec(line)
    if (fallback && current) current.default = fallback[1].replace(/^'(.*)'$/, '$1')
  }
  return keys
}

const inputs = section('inputs')
const outputs = section('outputs')

test('ACTION_VERSION equals package.json’s version', () => {
  expect(ACTION_VERSION).toBe(packageJson.version)
  expect(ACTION_VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/)
})

test('the reader finds action.yml’s sections (guards the checks below against an empty parse)', () => {
  expect(inputs.size).toBeGreaterThan(10)
  expect(outputs.size).toBeGreaterThan(5)
  expect(inputs.has('path')).toBe(true)
  expect(outputs.has('results')).toBe(true)
})

test('every Inputs value is an input in action.yml, and every input of action.yml is in Inputs', () => {
  const declared = [...inputs.keys()].sort()
  const inCode = Object.values(Inputs).sort()
  expect(inCode.filter(name => !inputs.has(name))).toEqual([])
  expect(declared.filter(name => !inCode.includes(name as Inputs))).toEqual([])
  expect(inCode).toEqual(declared)
})

test('every Outputs value is an output in action.yml, and every output of action.yml is in Outputs', () => {
  const declared = [...outputs.keys()].sort()
  const inCode = Object.values(Outputs).sort()
  expect(inCode.filter(name => !outputs.has(name))).toEqual([])
  expect(declared.filter(name => !inCode.includes(name as Outputs))).toEqual([])
  expect(inCode).toEqual(declared)
})

test('enum values are unique (no two members spell the same name)', () => {
  expect(new Set(Object.values(Inputs)).size).toBe(Object.values(Inputs).length)
  expect(new Set(Object.values(Outputs)).size).toBe(Object.values(Outputs).length)
})

test('the defaults in code are the defaults action.yml documents', () => {
  expect(inputs.get(Inputs.GatewayUrl)?.default).toBe(DEFAULT_GATEWAY_URL)
  expect(inputs.get(Inputs.NidApiUrl)?.default).toBe(DEFAULT_NID_API_URL)
  expect(inputs.get(Inputs.PinApiUrl)?.default).toBe(DEFAULT_PIN_API_URL)
  expect(inputs.get(Inputs.MaxFileSize)?.default).toBe(DEFAULT_MAX_FILE_SIZE)
})

test('the contract’s figures: 25 MB limit, 0.025 + ~0.004 NUM a month, Kubo’s chunking', () => {
  expect(parseSize(DEFAULT_MAX_FILE_SIZE)).toBeGreaterThanOrEqual(25e6)
  expect(PIN_MONTHLY_COST_NUM).toBeCloseTo(0.025 + 0.004, 10)
  expect(CHUNK_SIZE).toBe(262144)
  expect(MAX_LINKS_PER_NODE).toBe(174)
})

test('the default endpoints are https', () => {
  for (const url of [DEFAULT_GATEWAY_URL, DEFAULT_NID_API_URL, DEFAULT_PIN_API_URL]) {
    expect(new URL(url).protocol).toBe('https:')
  }
  expect(DEFAULT_GATEWAY_URL.endsWith('/')).toBe(true)
})

test('action.yml’s defaults, read as the runner passes them, mean what the code assumes when unset', () => {
  const env = { workspace: path.resolve('/ws'), runnerTemp: path.resolve('/tmp/runner') }
  const given = { [Inputs.Path]: 'dist/**', [Inputs.CaptureToken]: 'tok' } as Partial<Record<Inputs, string>>
  const withDefaults = parseInputs(name => {
    // The runner expands `${{ github.token }}`; stand in for it with an empty token, as when unset.
    const fallback = inputs.get(name)?.default ?? ''
    return given[name] ?? (fallback.includes('${{') ? '' : fallback)
  }, env)
  const unset = parseInputs(name => given[name] ?? '', env)
  expect(withDefaults).toEqual(unset)
})
