import { messageOf } from './errors.js'
import type { WorkflowContext } from './github-context.js'
import { LIMITS } from './report/limits.js'
import { characters, markdownTable } from './report/summary.js'
import type { ResultsDigest } from './report/digest.js'
import type { Logger } from './types.js'

/** Hidden markers that find this action's own comment and release-notes section again. */
export const COMMENT_MARKER = '<!-- numbers-pin-action:comment -->'
export const SECTION_START = '<!-- numbers-pin-action:start -->'
export const SECTION_END = '<!-- numbers-pin-action:end -->'

/** The few GitHub REST calls used, so the logic is testable against any implementation. */
export interface GitHubApi {
  listIssueComments(issueNumber: number): Promise<{ id: number; body?: string | null }[]>
  createIssueComment(issueNumber: number, body: string): Promise<void>
  updateIssueComment(commentId: number, body: string): Promise<void>
  getReleaseBody(releaseId: number): Promise<string>
  updateReleaseBody(releaseId: number, body: string): Promise<void>
}

/** Where a comment or release section sends readers for the entries that do not fit. */
function restOf(runUrl: string): string {
  return runUrl ? `the manifest of [this run](${runUrl})` : "the run's manifest"
}

/** The PR comment: within GitHub's limit on a comment's length, at any count of entries. */
export function commentBody(digest: ResultsDigest, runUrl: string): string {
  const run = runUrl ? ` by [this run](${runUrl})` : ''
  const head = `${COMMENT_MARKER}\n### Numbers Protocol Nids\n\nIPFS identities of this pull request's artifacts${run}:\n\n`
  const table = markdownTable(digest.head, {
    limit: LIMITS.commentChars - head.length,
    measure: characters,
    rest: restOf(runUrl),
    total: digest.totals.count
  })
  return `${head}${table}\n`
}

/** Creates the PR comment, or updates the one an earlier run created (found by its marker). */
export async function upsertComment(api: GitHubApi, issueNumber: number, body: string): Promise<'created' | 'updated'> {
  const existing = (await api.listIssueComments(issueNumber)).find(c => c.body?.includes(COMMENT_MARKER))
  if (existing) {
    await api.updateIssueComment(existing.id, body)
    return 'updated'
  }
  await api.createIssueComment(issueNumber, body)
  return 'created'
}

/** Replaces this action's marked section of a release body, or appends one. */
/**
 * Replaces this action's marked section of a release body, or appends one; the section's table takes
 * what room GitHub's limit on a release body leaves beside the author's text.
 */
export function withSection(releaseBody: string, digest: ResultsDigest, runUrl = ''): string {
  const start = releaseBody.indexOf(SECTION_START)
  const end = releaseBody.indexOf(SECTION_END)
  const kept = start !== -1 && end > start
  const [before, after] = kept
    ? [releaseBody.slice(0, start), releaseBody.slice(end + SECTION_END.length)]
    : [releaseBody.trim() === '' ? '' : `${releaseBody.trimEnd()}\n\n`, '']
  const head = `${SECTION_START}\n## Pinned on IPFS (Numbers Protocol)\n\n`
  const tail = `\n${SECTION_END}`
  const limit = LIMITS.releaseBodyChars - before.length - after.length - head.length - tail.length
  return `${before}${head}${markdownTable(digest.head, { limit, measure: characters, rest: restOf(runUrl), total: digest.totals.count })}${tail}${after}`
}

export async function updateReleaseNotes(
  api: GitHubApi,
  releaseId: number,
  digest: ResultsDigest,
  runUrl: string
): Promise<void> {
  const body = await api.getReleaseBody(releaseId)
  await api.updateReleaseBody(releaseId, withSection(body, digest, runUrl))
}

/**
 * The GitHubApi of a repository through Octokit (base URL from GITHUB_API_URL, as on the runner).
 * Loaded only here, when something is published: most runs never need it, and it is slow to load.
 */
export async function octokitApi(token: string, owner: string, repo: string): Promise<GitHubApi> {
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(token)
  return {
    listIssueComments: issueNumber =>
      octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
    createIssueComment: async (issueNumber, body) => {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })
    },
    updateIssueComment: async (commentId, body) => {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })
    },
    getReleaseBody: async releaseId =>
      (await octokit.rest.repos.getRelease({ owner, repo, release_id: releaseId })).data.body ?? '',
    updateReleaseBody: async (releaseId, body) => {
      await octokit.rest.repos.updateRelease({ owner, repo, release_id: releaseId, body })
    }
  }
}

export interface PublishOptions {
  prComment: boolean
  releaseNotes: boolean
  githubToken: string
  repository: string
  runUrl: string
}

/** Runs one publishing step; a failure (fork PRs get a read-only token) is a notice, never a failed step. */
async function attempt(what: string, action: () => Promise<string>, log: Logger): Promise<void> {
  try {
    log.info(await action())
  } catch (error) {
    const status = (error as { status?: number }).status
    const hint =
      status === 403 || status === 404
        ? ' (the token may not write here: fork pull requests get a read-only token; see the README for the workflow_run pattern)'
        : ''
    log.notice(`Could not ${what}${status ? `: HTTP ${status}` : ''}${hint}. ${messageOf(error).split('\n')[0]}`)
  }
}

/**
 * The PR comment and the release notes. Both are extras: an event without a pull request or a release
 * is a notice, never a failed step.
 */
export async function publishToGitHub(
  options: PublishOptions,
  digest: ResultsDigest,
  context: WorkflowContext,
  log: Logger
): Promise<void> {
  const [owner, repo] = options.repository.split('/')
  const event = context.eventName || 'run'
  if (options.prComment) {
    const pr =
      context.payload.pull_request?.number ??
      (context.payload.issue?.pull_request ? context.payload.issue.number : undefined)
    if (!pr || !owner) log.notice(`pr-comment: this ${event} event has no pull request; no comment written`)
    else
      await attempt(
        `comment on pull request #${pr}`,
        async () =>
          `Pull request #${pr}: comment ${await upsertComment(await octokitApi(options.githubToken, owner, repo), pr, commentBody(digest, options.runUrl))}`,
        log
      )
  }
  if (options.releaseNotes) {
    const release = (context.payload.release as { id?: number } | undefined)?.id
    if (!release || !owner) log.notice(`release-notes: this ${event} event has no release; release notes unchanged`)
    else
      await attempt(
        `update the release notes of release ${release}`,
        async () => {
          await updateReleaseNotes(await octokitApi(options.githubToken, owner, repo), release, digest, options.runUrl)
          return `Release ${release}: notes updated with the pinned assets`
        },
        log
      )
  }
}
