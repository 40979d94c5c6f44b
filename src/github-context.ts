/**
 * The workflow run's context, read as `@actions/github`'s `context` reads it (GITHUB_* variables and
 * the event file) but without loading Octokit, which only publishing needs (github-publish.ts loads it
 * then): Octokit is a large part of the bundle's start-up, and most runs never publish.
 */
import { existsSync, readFileSync } from 'node:fs'
import { EOL } from 'node:os'
import type * as github from '@actions/github'

/** The fields of `github.context` this action reads: provenance and the event that triggered the run. */
export interface WorkflowContext {
  /** The event's webhook payload; empty outside a runner. */
  payload: typeof github.context.payload
  eventName?: string
  sha?: string
  ref?: string
  workflow?: string
  actor?: string
  /** NaN when the variable is missing, as in `@actions/github`. */
  runId: number
  runAttempt: number
  serverUrl: string
}

function readContext(env: NodeJS.ProcessEnv): WorkflowContext {
  let payload: WorkflowContext['payload'] = {}
  const eventPath = env.GITHUB_EVENT_PATH
  if (eventPath) {
    if (existsSync(eventPath)) payload = JSON.parse(readFileSync(eventPath, { encoding: 'utf8' }))
    else process.stdout.write(`GITHUB_EVENT_PATH ${eventPath} does not exist${EOL}`)
  }
  return {
    payload,
    eventName: env.GITHUB_EVENT_NAME,
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    workflow: env.GITHUB_WORKFLOW,
    actor: env.GITHUB_ACTOR,
    runId: parseInt(env.GITHUB_RUN_ID ?? '', 10),
    runAttempt: parseInt(env.GITHUB_RUN_ATTEMPT ?? '', 10),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com'
  }
}

/** Read once, when the action's entry loads, as `@actions/github` does. */
export const context: WorkflowContext = readContext(process.env)
