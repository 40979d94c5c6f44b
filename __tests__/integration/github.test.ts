/**
 * PR comments and release notes against a local stand-in for the GitHub REST API
 * (GITHUB_API_URL pointed at it), asserting the requests the bundled action makes.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startGitHubMock, type GitHubMock } from '../../__fixtures__/github-api.js'
import { runAction } from '../helpers/run-action.js'

const GITHUB_TOKEN = 'ghs_testtoken0123456789'
let workspace: string
let github: GitHubMock

async function eventFile(name: string, payload: object): Promise<Record<string, string>> {
  const file = path.join(workspace, `${name}.json`)
  await fs.writeFile(file, JSON.stringify(payload))
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file, GITHUB_API_URL: github.url }
}

const inputs = { path: 'dist/*.txt', pin: 'false', 'github-token': GITHUB_TOKEN }

beforeAll(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'numbers-gh-'))
  await fs.mkdir(path.join(workspace, 'dist'))
  await fs.writeFile(path.join(workspace, 'dist', 'hello.txt'), 'hello world\n')
})
beforeEach(async () => {
  github = await startGitHubMock()
})
afterEach(async () => {
  await github.close()
})
afterAll(async () => {
  await fs.rm(workspace, { recursive: true, force: true })
})

describe('pr-comment', () => {
  const pullRequest = { pull_request: { number: 7 }, number: 7 }

  test('creates one comment, then updates it in place on the next run', async () => {
    const env = await eventFile('pull_request', pullRequest)
    const first = await runAction({ workspace, env, inputs: { ...inputs, 'pr-comment': 'true' } })
    expect(first.code).toBe(0)
    expect(github.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/numbers-test/artifacts/issues/7/comments',
      'POST /repos/numbers-test/artifacts/issues/7/comments'
    ])
    expect(github.requests.every(r => r.authorization === `token ${GITHUB_TOKEN}`)).toBe(true)
    const [comment] = github.comments.get(7) ?? []
    expect(comment.body).toContain('<!-- numbers-pin-action:comment -->')
    expect(comment.body).toContain(
      '| dist/hello.txt | 12\u00a0B | <code title="bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4">bafkrei\u2060…\u2060vei4</code> |'
    )

    github.requests.length = 0
    await fs.writeFile(path.join(workspace, 'dist', 'second.txt'), 'second')
    const second = await runAction({ workspace, env, inputs: { ...inputs, 'pr-comment': 'true' } })
    await fs.rm(path.join(workspace, 'dist', 'second.txt'))
    expect(second.code).toBe(0)
    expect(github.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/numbers-test/artifacts/issues/7/comments',
      `PATCH /repos/numbers-test/artifacts/issues/comments/${comment.id}`
    ])
    expect(github.comments.get(7)).toHaveLength(1)
    expect(github.comments.get(7)?.[0].body).toContain('dist/second.txt')
  })

  test('permission denied (a fork PR’s read-only token) is a notice, not a failure', async () => {
    github.denyWrites = 403
    const env = await eventFile('pull_request', pullRequest)
    const run = await runAction({ workspace, env, inputs: { ...inputs, 'pr-comment': 'true' } })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/::notice::Could not comment on pull request #7: HTTP 403/)
    expect(run.stdout).not.toContain('::error::')
    expect(run.outputs.count).toBe('1')
  })

  test('no pull request in the event: a notice and no request', async () => {
    const env = await eventFile('push', { ref: 'refs/heads/main' })
    const run = await runAction({ workspace, env, inputs: { ...inputs, 'pr-comment': 'true' } })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/::notice::pr-comment: this push event has no pull request/)
    expect(github.requests).toEqual([])
  })

  test('the GitHub token never appears in what the run wrote', async () => {
    const env = await eventFile('pull_request', pullRequest)
    const run = await runAction({
      workspace,
      env: { ...env, ACTIONS_STEP_DEBUG: 'true' },
      inputs: { ...inputs, 'pr-comment': 'true' }
    })
    const manifest = await fs.readFile(run.outputs.manifest, 'utf8')
    // `::add-mask::` is how the runner learns to hide it; the runner never prints that line.
    const masks = run.stdout.split('\n').filter(line => line.startsWith('::add-mask::'))
    expect(masks).toContain(`::add-mask::${GITHUB_TOKEN}`)
    // Each secret once, even when the token and its trimmed form are the same.
    expect(masks).toHaveLength(new Set(masks).size)
    const stdout = run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')
    for (const text of [stdout, run.stderr, run.outputFile, run.summary, manifest])
      expect(text).not.toContain(GITHUB_TOKEN)
  })
})

describe('release-notes', () => {
  test('adds a marked section once, then replaces it, keeping the author’s notes', async () => {
    github.releases.set(99, 'Release notes by a human.')
    const env = await eventFile('release', { action: 'published', release: { id: 99 } })
    const first = await runAction({ workspace, env, inputs: { ...inputs, 'release-notes': 'true' } })
    expect(first.code).toBe(0)
    expect(github.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/numbers-test/artifacts/releases/99',
      'PATCH /repos/numbers-test/artifacts/releases/99'
    ])
    const once = github.releases.get(99) ?? ''
    expect(once.startsWith('Release notes by a human.\n\n<!-- numbers-pin-action:start -->')).toBe(true)
    expect(once).toContain('dist/hello.txt')

    const second = await runAction({ workspace, env, inputs: { ...inputs, 'release-notes': 'true' } })
    expect(second.code).toBe(0)
    expect(github.releases.get(99)).toBe(once)
    expect(once.match(/numbers-pin-action:start/g)).toHaveLength(1)
  })

  test('permission denied is a notice', async () => {
    github.releases.set(5, '')
    github.denyWrites = 403
    const env = await eventFile('release', { release: { id: 5 } })
    const run = await runAction({ workspace, env, inputs: { ...inputs, 'release-notes': 'true' } })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/::notice::Could not update the release notes of release 5: HTTP 403/)
  })
})
