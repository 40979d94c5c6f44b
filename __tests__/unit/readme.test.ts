/** The README is the user's manual: its tables come from action.yml and must not drift from it. */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { parse } from 'yaml'
import { renderTables, withTables } from '../../scripts/readme-tables.mjs'
import { ACTION_VERSION, Inputs, Outputs } from '../../src/constants.js'

const root = path.resolve(import.meta.dirname, '..', '..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const actionYml = readFileSync(path.join(root, 'action.yml'), 'utf8')
const action = parse(actionYml) as {
  inputs: Record<string, { description: string }>
  outputs: Record<string, { description: string }>
}

test('the input and output tables are the ones generated from action.yml (npm run docs)', () => {
  expect(withTables(readme, renderTables(actionYml))).toBe(readme)
})

test('every input and output of action.yml is documented, and each has a description', () => {
  for (const [name, input] of Object.entries(action.inputs)) {
    expect(readme).toContain(`| \`${name}\` |`)
    expect(input.description.length).toBeGreaterThan(10)
  }
  for (const [name, output] of Object.entries(action.outputs)) {
    expect(readme).toContain(`| \`${name}\` |`)
    expect(output.description.length).toBeGreaterThan(10)
  }
})

test('action.yml declares exactly the inputs and outputs the code reads and sets', () => {
  expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
  expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
})

test('the Test section runs `npm test`, the command CI runs', () => {
  expect(readme).toMatch(/## Test\n\n```sh\nnpm test\n```/)
  expect(readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m)
})

test("the version in manifests and the User-Agent is package.json's", () => {
  expect(ACTION_VERSION).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version)
})
