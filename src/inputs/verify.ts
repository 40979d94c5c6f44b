import { DEFAULT_GATEWAY_URL, VerifyInputs } from '../constants.js'
import type { Depth } from '../gateway/check.js'
import { inputReaders, lines } from './readers.js'
import { pathFor, type RunEnvironment } from './report.js'

export type IfMissing = 'error' | 'warn'

/** The verify action's inputs, read once and validated at the edge. */
export interface VerifyRunInputs {
  /** Glob patterns of manifests, one per line, relative to the workspace. */
  manifestPatterns: string[]
  /** Ends with `/`: a CID is appended to it. */
  gatewayUrl: string
  depth: Depth
  concurrency: number
  retries: number
  timeoutSeconds: number
  ifMissing: IfMissing
  workspace: string
  reportPath: string
}

const LIMITS = {
  [VerifyInputs.Concurrency]: { min: 1, max: 64, fallback: 8 },
  [VerifyInputs.Retries]: { min: 0, max: 10, fallback: 3 },
  [VerifyInputs.Timeout]: { min: 1, max: 3600, fallback: 60 }
} as const

/** Validates every input, collecting all problems so that one failed run lists everything to fix. */
export function parseVerifyInputs(read: (name: VerifyInputs) => string, env: RunEnvironment): VerifyRunInputs {
  const { fail, choice, integer, endpoint, done } = inputReaders(read)
  const manifestPatterns = lines(read(VerifyInputs.Manifest))
  if (manifestPatterns.length === 0) {
    fail(
      VerifyInputs.Manifest,
      `is empty; give the path (or a glob) of manifests the pin action wrote, e.g. its 'manifest' output`
    )
  }
  let gatewayUrl = endpoint(VerifyInputs.GatewayUrl, DEFAULT_GATEWAY_URL)
  if (!gatewayUrl.endsWith('/')) gatewayUrl += '/'
  const inputs: VerifyRunInputs = {
    manifestPatterns,
    gatewayUrl,
    depth: choice<Depth>(VerifyInputs.Depth, ['block', 'full'], 'block'),
    concurrency: integer(VerifyInputs.Concurrency, LIMITS[VerifyInputs.Concurrency]),
    retries: integer(VerifyInputs.Retries, LIMITS[VerifyInputs.Retries]),
    timeoutSeconds: integer(VerifyInputs.Timeout, LIMITS[VerifyInputs.Timeout]),
    ifMissing: choice<IfMissing>(VerifyInputs.IfMissing, ['error', 'warn'], 'error'),
    workspace: env.workspace,
    reportPath: pathFor(env, 'numbers-verify-report', '.json')
  }
  done()
  return inputs
}
