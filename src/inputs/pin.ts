import { DEFAULT_MAX_FILE_SIZE, DEFAULT_NID_API_URL, DEFAULT_PIN_API_URL, Inputs } from '../constants.js'
import { MAX_SHARDS, parseShard, type ShardPosition } from '../shard.js'
import type { CidVersion, NidSource, NoFilesBehavior } from '../types.js'
import { displayUrl } from '../redact.js'
import { httpUrl, inputReaders, lines, parseSize } from './readers.js'
import { parseReportInputs, pathInput, type ReportInputs, type RunEnvironment } from './report.js'
import { parseRetentionInputs, type RetentionInputs } from './retention.js'
import { captureTokenInput } from './token.js'

export type { RunEnvironment } from './report.js'

/** Every input, read once and validated at the edge; modules below take these plain values. */
export interface RunInputs extends ReportInputs, RetentionInputs {
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
  previousManifest: string
  /** Check previous-manifest's pins at gateway-url before skipping their files; re-pin the missing ones. */
  verifyPrevious: boolean
  nidApiUrl: string
  pinApiUrl: string
  /** This job's slice of a sharded run; absent when the run is not sharded. */
  shard?: ShardPosition
}

/** Bounds and defaults of the integer inputs (the merge uses the request defaults for its unpins). */
export const LIMITS = {
  [Inputs.Concurrency]: { min: 1, max: 64, fallback: 4 },
  [Inputs.Retries]: { min: 0, max: 10, fallback: 3 },
  [Inputs.Timeout]: { min: 1, max: 3600, fallback: 300 }
} as const

type Readers = ReturnType<typeof inputReaders<Inputs>>

/** What to pin: glob patterns and file URLs (their lines; at least one of the two). */
function sources({ read, fail }: Readers): Pick<RunInputs, 'patterns' | 'fileUrls'> {
  const patterns = lines(read(Inputs.Path))
  const fileUrls = lines(read(Inputs.FileUrls))
  if (patterns.length === 0 && fileUrls.length === 0) {
    fail(
      Inputs.Path,
      `neither '${Inputs.Path}' nor '${Inputs.FileUrls}' is set; give glob patterns of files to pin or public file URLs`
    )
  }
  fileUrls.forEach((url, index) => {
    if (httpUrl(url)) return
    // Shown without credentials; a line that does not parse is not shown at all, since it may hold some.
    const which = URL.canParse(url) ? `'${displayUrl(url).shown}'` : `line ${index + 1} (not shown)`
    fail(Inputs.FileUrls, `${which} is not a public http(s) URL`)
  })
  return { patterns, fileUrls }
}

/** cid-version: 1 (default, bafy...) or 0 (Qm...). */
function cidVersionInput({ read, fail }: Readers): CidVersion {
  const raw = read(Inputs.CidVersion).trim() || '1'
  if (raw !== '0' && raw !== '1') {
    fail(Inputs.CidVersion, `'${raw}' is not a CID version; use 1 (default, bafy...) or 0 (Qm...)`)
  }
  return raw === '0' ? 0 : 1
}

/** max-file-size in bytes, from bytes or a size with its unit. */
function maxFileSizeInput({ read, fail }: Readers): number {
  const raw = read(Inputs.MaxFileSize).trim() || DEFAULT_MAX_FILE_SIZE
  const size = parseSize(raw)
  if (size === undefined) fail(Inputs.MaxFileSize, `'${raw}' is not a size; use bytes or a unit such as 500KB, 25MiB`)
  return size ?? 0
}

/** shard: this job's INDEX/TOTAL, or undefined when the run is not sharded. */
function shardInput({ read, fail }: Readers): ShardPosition | undefined {
  const raw = read(Inputs.Shard).trim()
  const shard = raw ? parseShard(raw) : undefined
  if (raw && !shard) {
    fail(
      Inputs.Shard,
      `'${raw}' is not INDEX/TOTAL; use 1-based whole numbers with INDEX from 1 to TOTAL and TOTAL from 1 to ${MAX_SHARDS}, e.g. \${{ matrix.shard }}/4`
    )
  }
  return shard
}

/** Why this run needs the Capture Token: the first thing it sends to Numbers, or undefined. */
function tokenNeededFor(sends: Pick<RunInputs, 'pin' | 'nidSource' | 'fileUrls' | 'unpinAbsent'>): string | undefined {
  if (sends.pin) return 'pin: true sends files to Numbers'
  if (sends.nidSource === 'api') return 'nid-source: api sends files to Numbers'
  if (sends.fileUrls.length > 0) return 'file-urls are resolved by the Numbers API'
  if (sends.unpinAbsent === 'true') return 'unpin-absent: true calls the Numbers Unpin API'
  return undefined
}

/**
 * Validates every input and returns them typed. All problems are collected so that one failed run
 * lists everything to fix; nothing is sent anywhere before this succeeds.
 */
export function parseInputs(read: (name: Inputs) => string, env: RunEnvironment): RunInputs {
  const readers = inputReaders(read)
  const { fail, boolean, choice, integer, endpoint, done } = readers

  const cidVersion = cidVersionInput(readers)
  const maxFileSize = maxFileSizeInput(readers)
  const shard = shardInput(readers)

  const what = sources(readers)
  const pin = boolean(Inputs.Pin, true)
  const nidSource = choice<NidSource>(Inputs.NidSource, ['local', 'api'], 'local')
  const retention = parseRetentionInputs(readers, shard)
  const inputs: RunInputs = {
    ...what,
    includeHiddenFiles: boolean(Inputs.IncludeHiddenFiles, false),
    captureToken: captureTokenInput(
      readers,
      tokenNeededFor({ pin, nidSource, fileUrls: what.fileUrls, unpinAbsent: retention.unpinAbsent })
    ),
    pin,
    nidSource,
    cidVersion,
    ifNoFilesFound: choice<NoFilesBehavior>(Inputs.IfNoFilesFound, ['error', 'warn', 'ignore'], 'error'),
    maxFileSize,
    concurrency: integer(Inputs.Concurrency, LIMITS[Inputs.Concurrency]),
    retries: integer(Inputs.Retries, LIMITS[Inputs.Retries]),
    timeoutSeconds: integer(Inputs.Timeout, LIMITS[Inputs.Timeout]),
    ...parseReportInputs(readers, env),
    previousManifest: pathInput(read, Inputs.PreviousManifest, env, ''),
    verifyPrevious: boolean(Inputs.VerifyPrevious, false),
    nidApiUrl: endpoint(Inputs.NidApiUrl, DEFAULT_NID_API_URL),
    pinApiUrl: endpoint(Inputs.PinApiUrl, DEFAULT_PIN_API_URL),
    ...retention,
    shard
  }
  if (inputs.verifyPrevious && !inputs.previousManifest) {
    fail(
      Inputs.VerifyPrevious,
      `is true, but ${Inputs.PreviousManifest} is not set: there are no earlier pins to check; set ${Inputs.PreviousManifest} to the manifest an earlier run wrote, or remove ${Inputs.VerifyPrevious}`
    )
  }
  done()
  return inputs
}

/** Whether this run sends anything to Numbers (and so needs the token and a client). */
export function sendsToNumbers(inputs: Pick<RunInputs, 'pin' | 'nidSource' | 'fileUrls' | 'unpinAbsent'>): boolean {
  return tokenNeededFor(inputs) !== undefined
}

/** Whether local files are uploaded (to be pinned, or to Get Nid from File). */
export function uploadsFiles(inputs: Pick<RunInputs, 'pin' | 'nidSource'>): boolean {
  return inputs.pin || inputs.nidSource === 'api'
}
