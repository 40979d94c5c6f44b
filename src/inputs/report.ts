import * as os from 'node:os'
import * as path from 'node:path'
import { DEFAULT_GATEWAY_URL, Inputs } from '../constants.js'
import type { inputReaders } from './readers.js'

/** Where the runner puts things: the workspace, and its temp folder when there is one. */
export interface RunEnvironment {
  workspace: string
  runnerTemp?: string
}

/** The inputs of what a run reports (manifest, summary, links, PR comment, release notes), shared by the pin and merge actions. */
export interface ReportInputs {
  manifestPath: string
  showSummary: boolean
  gatewayUrl: string
  prComment: boolean
  releaseNotes: boolean
  githubToken: string
  checksumsPath: string
  workspace: string
}

type Readers = Pick<ReturnType<typeof inputReaders<Inputs>>, 'read' | 'fail' | 'boolean' | 'endpoint'>

/** Reads and checks the report inputs; problems are recorded on `readers`, as for every other input. */
export function parseReportInputs({ read, fail, boolean, endpoint }: Readers, env: RunEnvironment): ReportInputs {
  const prComment = boolean(Inputs.PrComment, false)
  const releaseNotes = boolean(Inputs.ReleaseNotes, false)
  const githubToken = read(Inputs.GithubToken).trim()
  if ((prComment || releaseNotes) && githubToken === '') {
    fail(
      Inputs.GithubToken,
      `is empty, but ${prComment ? Inputs.PrComment : Inputs.ReleaseNotes} is true; leave it at its default \${{ github.token }} or give a token that may write to this repository`
    )
  }

  let gatewayUrl = endpoint(Inputs.GatewayUrl, DEFAULT_GATEWAY_URL)
  if (!gatewayUrl.endsWith('/')) gatewayUrl += '/'

  const workspace = env.workspace
  const tempDir = env.runnerTemp || os.tmpdir()
  const manifestRaw = read(Inputs.ManifestPath).trim()
  return {
    manifestPath: manifestRaw ? path.resolve(workspace, manifestRaw) : path.join(tempDir, 'numbers-manifest.json'),
    showSummary: boolean(Inputs.ShowSummary, true),
    gatewayUrl,
    prComment,
    releaseNotes,
    githubToken,
    checksumsPath: path.join(tempDir, 'numbers-checksums.txt'),
    workspace
  }
}
