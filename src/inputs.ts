import * as os from 'node:os'
import * as path from 'node:path'
import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_MAX_FILE_SIZE,
  DEFAULT_NID_API_URL,
  DEFAULT_PIN_API_URL,
  Inputs
} from './constants.js'
import { InputError, PreflightError } from './errors.js'

export type NidSource = 'local' | 'api'
export type CidVersion = 0 | 1
export type NoFilesBehavior = 'error' | 'warn' | 'ignore'

/** Every input, read once and validated at the edge; modules below take these plain values. */
export interface RunInputs {
  patterns: string[]
  fileUrls: string[]
  includeHiddenFiles: boolean
  captureToken: string
  pin: boolean
  nidSource: NidSource
  cidVersion: CidVersion
  ifNoFilesFound: NoFilesBehavior
  maxFileSize: number
  concurrency: number
  retries: number
  timeoutSeconds: number
  manifestPath: string
  previousManifest: string
  showSummary: boolean
  gatewayUrl: string
  nidApiUrl: string
  pinApiUrl: string
  prComment: boolean
  releaseNotes: boolean
  githubToken: string
  checksumsPath: string
  workspace: string
}

/** Reads one input's raw value ('' when unset), e.g. `core.getInput`. */
export type InputReader = (name: Inputs) => string

export interface RunEnvironment {
  workspace: string
  runnerTemp?: string
}

const LIMITS = {
  [Inputs.Concurrency]: { min: 1, max: 64, fallback: 4 },
  [Inputs.Retries]: { min: 0, max: 10, fallback: 3 },
  [Inputs.Timeout]: { min: 1, max: 3600, fallback: 300 }
} as const

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30
}

/** Parses `25MiB`, `25 MB`, `1.5GiB` or plain bytes into a whole number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  if (!match) return undefined
  const factor = SIZE_UNITS[(match[2] || 'b').toLowerCase()]
  if (factor === undefined) return undefined
  const bytes = Math.floor(Number(match[1]) * factor)
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined
}

/** Splits a multi-line input into its non-empty, trimmed lines. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

/**
 * Validates every input and returns them typed. All problems are collected so that one failed run
 * lists everything to fix; nothing is sent anywhere before this succeeds.
 */
export function parseInputs(read: InputReader, env: RunEnvironment): RunInputs {
  const problems: InputError[] = []
  const fail = (input: Inputs, message: string): void => {
    problems.push(new InputError(input, message))
  }

  const boolean = (input: Inputs, fallback: boolean): boolean => {
    const raw = read(input).trim()
    if (raw === '') return fallback
    if (/^(true|True|TRUE)$/.test(raw)) return true
    if (/^(false|False|FALSE)$/.test(raw)) return false
    fail(input, `'${raw}' is not a boolean; use true or false`)
    return fallback
  }

  const choice = <T extends string>(input: Inputs, allowed: readonly T[], fallback: T): T => {
    const raw = read(input).trim()
    if (raw === '') return fallback
    if ((allowed as readonly string[]).includes(raw)) return raw as T
    fail(input, `'${raw}' is not one of ${allowed.join(', ')}`)
    return fallback
  }

  const integer = (input: keyof typeof LIMITS): number => {
    const { min, max, fallback } = LIMITS[input]
    const raw = read(input).trim()
    if (raw === '') return fallback
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!(value >= min && value <= max)) {
      fail(input, `'${raw}' must be a whole number from ${min} to ${max}`)
      return fallback
    }
    return value
  }

  const endpoint = (input: Inputs, fallback: string): string => {
    const raw = read(input).trim() || fallback
    if (!httpUrl(raw)) fail(input, `'${raw}' is not an http(s) URL`)
    return raw
  }

  const patterns = lines(read(Inputs.Path))
  const fileUrls = lines(read(Inputs.FileUrls))
  if (patterns.length === 0 && fileUrls.length === 0) {
    fail(
      Inputs.Path,
      `neither '${Inputs.Path}' nor '${Inputs.FileUrls}' is set; give glob patterns of files to pin or public file URLs`
    )
  }
  for (const url of fileUrls) {
    if (!httpUrl(url)) fail(Inputs.FileUrls, `'${url}' is not a public http(s) URL`)
  }

  const cidVersionRaw = read(Inputs.CidVersion).trim() || '1'
  if (cidVersionRaw !== '0' && cidVersionRaw !== '1') {
    fail(Inputs.CidVersion, `'${cidVersionRaw}' is not a CID version; use 1 (default, bafy...) or 0 (Qm...)`)
  }

  const maxFileSizeRaw = read(Inputs.MaxFileSize).trim() || DEFAULT_MAX_FILE_SIZE
  const maxFileSize = parseSize(maxFileSizeRaw)
  if (maxFileSize === undefined) {
    fail(Inputs.MaxFileSize, `'${maxFileSizeRaw}' is not a size; use bytes or a unit such as 500KB, 25MiB`)
  }

  const pin = boolean(Inputs.Pin, true)
  const nidSource = choice<NidSource>(Inputs.NidSource, ['local', 'api'], 'local')
  const captureToken = read(Inputs.CaptureToken).trim()
  if (sendsToNumbers({ pin, nidSource, fileUrls }) && captureToken === '') {
    const why = pin
      ? 'pin: true sends files to Numbers'
      : nidSource === 'api'
        ? 'nid-source: api sends files to Numbers'
        : 'file-urls are resolved by the Numbers API'
    fail(
      Inputs.CaptureToken,
      `is empty, but ${why}. Set capture-token: \${{ secrets.CAPTURE_TOKEN }}; for pull requests from forks (no secrets), use pin: false with nid-source: local`
    )
  }

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
  const manifestPath = manifestRaw ? path.resolve(workspace, manifestRaw) : path.join(tempDir, 'numbers-manifest.json')
  const previousRaw = read(Inputs.PreviousManifest).trim()

  const inputs: RunInputs = {
    patterns,
    fileUrls,
    includeHiddenFiles: boolean(Inputs.IncludeHiddenFiles, false),
    captureToken,
    pin,
    nidSource,
    cidVersion: cidVersionRaw === '0' ? 0 : 1,
    ifNoFilesFound: choice<NoFilesBehavior>(Inputs.IfNoFilesFound, ['error', 'warn', 'ignore'], 'error'),
    maxFileSize: maxFileSize ?? 0,
    concurrency: integer(Inputs.Concurrency),
    retries: integer(Inputs.Retries),
    timeoutSeconds: integer(Inputs.Timeout),
    manifestPath,
    previousManifest: previousRaw ? path.resolve(workspace, previousRaw) : '',
    showSummary: boolean(Inputs.ShowSummary, true),
    gatewayUrl,
    nidApiUrl: endpoint(Inputs.NidApiUrl, DEFAULT_NID_API_URL),
    pinApiUrl: endpoint(Inputs.PinApiUrl, DEFAULT_PIN_API_URL),
    prComment,
    releaseNotes,
    githubToken,
    checksumsPath: path.join(tempDir, 'numbers-checksums.txt'),
    workspace
  }
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new PreflightError(problems, `${problems.length} inputs need fixing`)
  return inputs
}

/** Whether this run sends anything to Numbers (and so needs the token and size limits). */
export function sendsToNumbers(inputs: Pick<RunInputs, 'pin' | 'nidSource' | 'fileUrls'>): boolean {
  return inputs.pin || inputs.nidSource === 'api' || inputs.fileUrls.length > 0
}

/** Whether local files are uploaded (to be pinned, or to Get Nid from File). */
export function uploadsFiles(inputs: Pick<RunInputs, 'pin' | 'nidSource'>): boolean {
  return inputs.pin || inputs.nidSource === 'api'
}
