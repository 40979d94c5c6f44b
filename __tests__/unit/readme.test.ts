/**
 * The README is the user's manual: its tables come from action.yml, its workflows use only inputs and
 * outputs the action has, and its Test and Try it commands are the real ones.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { parse } from 'yaml'
import { ACTIONS, parseActionYml, renderTables, section, withTables } from '../../scripts/readme-tables.mjs'
import { releaseNotes } from '../../scripts/release-notes.mjs'
import { ACTION_VERSION, Inputs, Outputs } from '../../src/constants.js'

const root = path.resolve(import.meta.dirname, '..', '..')
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8')
const readme = read('README.md')
const actionYml = read('action.yml')
/** action.yml as a full YAML parser reads it. */
const action = parse(actionYml) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
const inputNames = Object.keys(action.inputs)
const outputNames = Object.keys(action.outputs)

describe('input and output tables', () => {
  test('are the ones generated from the three action.yml files (node scripts/readme-tables.mjs)', () => {
    expect(ACTIONS.map(a => a.actionYml)).toEqual(['action.yml', 'merge/action.yml', 'verify/action.yml'])
    let expected = readme
    for (const { actionYml: file, prefix } of ACTIONS) expected = withTables(expected, renderTables(read(file), prefix))
    expect(expected).toBe(readme)
  })

  test('list every input and output of action.yml, in order, each with a description', () => {
    const rows = (name: string): string[] =>
      [...(section(readme, name) ?? '').matchAll(/^\| `([^`]+)` \|/gm)].map(match => match[1])
    expect(rows('inputs')).toEqual(inputNames)
    expect(rows('outputs')).toEqual(outputNames)
    for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)]) {
      expect(entry.description.length).toBeGreaterThan(10)
    }
  })

  test('show each input default and whether it is required', () => {
    const rows = (section(readme, 'inputs') ?? '').split('\n')
    for (const [name, input] of Object.entries(action.inputs)) {
      const fallback = input.default === undefined || input.default === '' ? '' : `\`${input.default}\``
      const row = rows.find(line => line.startsWith(`| \`${name}\` |`)) ?? ''
      expect(row.endsWith(`| ${fallback} | ${input.required === true ? 'yes' : 'no'} |`)).toBe(true)
    }
  })

  test('action.yml declares exactly the inputs and outputs the code reads and sets', () => {
    expect([...inputNames].sort()).toEqual(Object.values(Inputs).sort())
    expect([...outputNames].sort()).toEqual(Object.values(Outputs).sort())
  })
})

describe('the tables script', () => {
  test('reads inputs and outputs in file order', () => {
    expect(Object.keys(parseActionYml(actionYml).inputs)).toEqual(inputNames)
    expect(Object.keys(parseActionYml(actionYml).outputs)).toEqual(outputNames)
  })

  test('has a README section for every action.yml it lists', () => {
    for (const { actionYml: file, prefix } of ACTIONS) {
      const tables = renderTables(read(file), prefix)
      expect(Object.keys(tables)).toEqual([`${prefix}inputs`, `${prefix}outputs`])
      for (const [name, table] of Object.entries(tables)) expect(section(readme, name)).toBe(table)
    }
  })

  test('withTables refuses a README without its markers', () => {
    expect(() => withTables('# no markers\n', renderTables(actionYml))).toThrow(/inputs:start/)
  })
})

/** The README's fenced YAML blocks, parsed: whole workflows and step snippets. */
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(match => match[1])
interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}
interface Workflow {
  name: string
  permissions?: unknown
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>
}
const workflows = yamlBlocks
  .map(block => parse(block) as unknown)
  .filter((doc): doc is Workflow => {
    return typeof doc === 'object' && doc !== null && 'jobs' in doc
  })
/** This repository's actions: the pin action, and its merge and verify sub-actions. */
const OWN_ACTION = /^[\w.-]+\/numbers-pin-action(?:\/(merge|verify))?@/
/** Each of this repository's actions, by the sub-path `uses:` names, as its action.yml declares it. */
const ownActions: Record<string, { inputs: string[]; outputs: string[] }> = Object.fromEntries(
  ['', 'merge', 'verify'].map(sub => {
    const parsed = parseActionYml(read(sub ? `${sub}/action.yml` : 'action.yml'))
    return [sub, { inputs: Object.keys(parsed.inputs), outputs: Object.keys(parsed.outputs) }]
  })
)

describe('the workflows in the README', () => {
  test('are valid YAML, and there is one per use case', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(5)
    for (const block of yamlBlocks) expect(() => parse(block)).not.toThrow()
    expect(workflows.map(w => w.name)).toEqual(
      expect.arrayContaining([
        'Release',
        'Artifact Nids',
        'Comment Nids',
        'Nightly assets',
        'Release assets',
        'Verify pins'
      ])
    )
  })

  test('give the workflow no permissions and each job only the ones it names', () => {
    for (const workflow of workflows) {
      expect(workflow.permissions).toEqual({})
      for (const job of Object.values(workflow.jobs)) expect(job.permissions).toBeDefined()
    }
  })

  test('give each of these actions only inputs it has, and read only outputs it sets', () => {
    const used = new Set<string>()
    for (const workflow of workflows) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) {
          const own = step.uses ? OWN_ACTION.exec(step.uses) : null
          if (!own) continue
          const sub = own[1] ?? ''
          used.add(sub)
          const { inputs, outputs } = ownActions[sub]
          expect({
            uses: step.uses,
            unknown: Object.keys(step.with ?? {}).filter(key => !inputs.includes(key))
          }).toEqual({
            uses: step.uses,
            unknown: []
          })
          if (!step.id) continue
          const text = JSON.stringify(workflow)
          for (const match of text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))) {
            expect(outputs).toContain(match[1])
          }
        }
      }
    }
    expect([...used].sort()).toEqual(['', 'merge', 'verify'])
  })

  test("pin every other action by commit SHA, at the same release as the repository's own workflows", () => {
    const workflowFiles = readdirSync(path.join(root, '.github', 'workflows'))
      .filter(name => /\.ya?ml$/.test(name))
      .map(name => read(path.join('.github', 'workflows', name)))
    // owner/repo (sub-actions such as actions/cache/restore share their repository's tags) → `sha # version`.
    const pins = new Map<string, Set<string>>()
    for (const text of [...yamlBlocks, ...workflowFiles]) {
      for (const [, ref] of text.matchAll(/^\s*(?:- )?uses: (.+)$/gm)) {
        if (ref.startsWith('./') || OWN_ACTION.test(ref)) continue
        const match = /^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(ref)
        expect({ ref, pinned: match !== null }).toEqual({ ref, pinned: true })
        if (!match) continue
        pins.set(match[1], (pins.get(match[1]) ?? new Set()).add(`${match[2]} # ${match[3]}`))
      }
    }
    for (const [action, refs] of pins) expect({ action, refs: [...refs] }).toEqual({ action, refs: [[...refs][0]] })
    expect(pins.has('actions/checkout')).toBe(true)
  })

  test('show the features the prose describes', () => {
    const release = workflows.find(w => w.name === 'Release')
    expect(JSON.stringify(release)).toContain('"capture-token":"${{ secrets.CAPTURE_TOKEN }}"')
    expect(JSON.stringify(release)).toContain('"path":"dist/**"')
    const pr = JSON.stringify(workflows.find(w => w.name === 'Artifact Nids'))
    expect(pr).toContain('"pin":false')
    expect(pr).toContain('"nid-source":"local"')
    expect(pr).not.toContain('capture-token')
    const nightly = JSON.stringify(workflows.find(w => w.name === 'Nightly assets'))
    for (const text of ['previous-manifest', 'manifest-path', 'restore-keys', 'github.run_id', 'subject-checksums']) {
      expect(nightly).toContain(text)
    }
    for (const input of ['pr-comment', 'github-token', 'release-notes']) expect(readme).toContain(`\`${input}\``)
    const matrix = JSON.stringify(workflows.find(w => w.name === 'Release assets'))
    for (const text of ['"shard":"${{ matrix.shard }}/4"', 'numbers-pin-action/merge@', '"manifests":"shards/*/']) {
      expect(matrix).toContain(text)
    }
    expect(JSON.stringify(workflows.find(w => w.name === 'Verify pins'))).toContain('numbers-pin-action/verify@')
    expect(nightly).toContain('numbers-pin-action/verify@')
  })

  test('link only to docs pages that exist', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)(?:#[^)]*)?\)/g)].map(match => match[1])
    expect(links.length).toBeGreaterThan(0)
    for (const link of new Set(links))
      expect({ link, exists: existsSync(path.join(root, link)) }).toEqual({ link, exists: true })
  })
})

describe('commands and sections', () => {
  test('the Test section runs `npm test`, the command CI runs', () => {
    expect(readme).toMatch(/^## Test\n\n```sh\nnpm test\n```\n/m)
    expect(read('.ci/run')).toMatch(/^npm test\b/m)
    expect(JSON.parse(read('package.json')).scripts.test).toBeDefined()
  })

  test('Try it runs scripts/try-it.sh', () => {
    expect(readme).toMatch(/## Try it\n[\s\S]*?```sh\nbash scripts\/try-it\.sh\n```/)
  })

  test('the manual has its sections, in order', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map(match => match[1])
    const expected = [
      'Quick start',
      'Try it',
      'Use cases',
      'Inputs',
      'Outputs',
      'The merge action',
      'The verify action',
      'Results and the manifest',
      'Limits',
      'What a Nid is',
      'Costs',
      'Retention and budget',
      'Reliability',
      'Security',
      'Troubleshooting',
      'Architecture',
      'Performance',
      'Versioning',
      'Local development',
      'Test',
      'Releasing',
      'License'
    ]
    expect(headings.filter(heading => expected.includes(heading))).toEqual(expected)
    expect(section(readme, 'bench')).toBeDefined()
  })

  test('the manifest fields it documents are the ones the action writes', () => {
    const manifest = read('src/manifest.ts')
    for (const field of [
      'schema',
      'actionVersion',
      'cidVersion',
      'startedAt',
      'finishedAt',
      'complete',
      'provenance',
      'results'
    ]) {
      expect(readme).toContain(`\`${field}\``)
      expect(manifest).toMatch(new RegExp(`\\b${field}\\b`))
    }
    for (const field of ['repository', 'sha', 'ref', 'workflow', 'runId', 'runAttempt', 'runUrl', 'event', 'actor']) {
      expect(readme).toContain(`\`${field}\``)
      expect(manifest).toMatch(new RegExp(`^  ${field}: `, 'm'))
    }
    for (const status of ['pinned', 'already-pinned', 'nid-only', 'failed'])
      expect(readme).toContain(`| \`${status}\` |`)
  })

  test("CHANGELOG.md has notes for package.json's version, and an Unreleased section", () => {
    const changelog = read('CHANGELOG.md')
    expect(releaseNotes(changelog, JSON.parse(read('package.json')).version)).toMatch(/^### /)
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    expect(releaseNotes('## [1.1.0] - x\n\nnew\n\n## [1.0.0] - y\n\nold\n', '1.1.0')).toBe('new')
    expect(releaseNotes(changelog, '0.0.0')).toBeUndefined()
  })

  test("the version in manifests and the User-Agent is package.json's", () => {
    expect(ACTION_VERSION).toBe(JSON.parse(read('package.json')).version)
  })
})
