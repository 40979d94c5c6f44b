import * as os from 'node:os'
import * as path from 'node:path'
import { DEFAULT_GATEWAY_URL, Inputs } from '../constants.js'
import type { inputReaders } from './readers.js'

/** Where the runner puts things: the workspace, its temp folder, and the step's id. */
export interface RunEnvironment {
  workspace: string
  runnerTemp?: string
  /** GITHUB_ACTION: the step's id, unique in its job. */
  step?: string
}

/** The inputs of what a run reports (manifest, summary, links, PR comment, release notes), shared by the pin and merge actions. */
export interface ReportInputs {
  manifestPath: string
  checksumsPath: string
  showSummary: boolean
  gatewayUrl: string
  prComment: boolean
  releaseNotes: boolean
  githubToken: string
  workspace: string
}

type Readers = Pick<ReturnType<typeof inputReaders<Inputs>>, 'read' | 'fail' | 'boolean' | 'endpoint'>

/** PR comment and release notes, and the token they need. */
function publishing({
  read,
  fail,
  boolean
}: Readers): Pick<ReportInputs, 'prComment' | 'releaseNotes' | 'githubToken'> {
  const prComment = boolean(Inputs.PrComment, false)
  const releaseNotes = boolean(Inputs.ReleaseNotes, false)
  const githubToken = read(Inputs.GithubToken).trim()
  if ((prComment || releaseNotes) && githubToken === '') {
    fail(
      Inputs.GithubToken,
      `is empty, but ${prComment ? Inputs.PrComment : Inputs.ReleaseNotes} is true; leave it at its default \${{ github.token }} or give a token that may write to this repository`
    )
  }
  return { prComment, releaseNotes, githubToken }
}

/** A path input resolved against the workspace, or `fallback` when it is not set. */
export function pathInput(read: Readers['read'], input: Inputs, env: RunEnvironment, fallback: string): string {
  const raw = read(input).trim()
  return raw ? path.resolve(env.workspace, raw) : fallback
}

/** A default path of a file the step writes: in the runner's temp folder, named for the step. */
export function pathFor(env: RunEnvironment, base: string, extension: string): string {
  const tempDir = path.resolve(env.workspace, env.runnerTemp || os.tmpdir())
  const step = (env.step ?? '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 100)
  return path.join(tempDir, `${base}${step ? `-${step}` : ''}${extension}`)
}

/**
 * Where the results go. Default paths are in the runner's temp folder and named for the step
 * (GITHUB_ACTION), so two steps of one job never overwrite each other's manifest or checksums.
 */
function locations(read: Readers['read'], env: RunEnvironment): Pick<ReportInputs, 'manifestPath' | 'checksumsPath'> {
  const named = (base: string, extension: string): string => pathFor(env, base, extension)
  return {
    manifestPath: pathInput(read, Inputs.ManifestPath, env, named('numbers-manifest', '.json')),
    checksumsPath: pathInput(read, Inputs.ChecksumsPath, env, named('numbers-checksums', '.txt'))
  }
}

/** Reads and checks the report inputs; problems are recorded on `readers`, as for every other input. */
export function parseReportInputs(readers: Readers, env: RunEnvironment): ReportInputs {
  let gatewayUrl = readers.endpoint(Inputs.GatewayUrl, DEFAULT_GATEWAY_URL)
  if (!gatewayUrl.endsWith('/')) gatewayUrl += '/'
  return {
    ...locations(readers.read, env),
    showSummary: readers.boolean(Inputs.ShowSummary, true),
    gatewayUrl,
    ...publishing(readers),
    workspace: env.workspace
  }
}
