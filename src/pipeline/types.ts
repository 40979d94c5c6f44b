import type { LocalFile } from '../discovery.js'
import type { NidAnswer, PinAnswer, Upload } from '../numbers/client.js'
import type { CidVersion, EntryResult, NidSource, PinnedIndex } from '../types.js'

/** The two calls the pipeline makes; NumbersClient implements it. */
export interface NumbersApi {
  getNid(upload: Upload, version: CidVersion): Promise<NidAnswer>
  pin(upload: Upload, version: CidVersion): Promise<PinAnswer>
}

export interface PipelineLogger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface PipelineOptions {
  pin: boolean
  nidSource: NidSource
  cidVersion: CidVersion
  concurrency: number
  gatewayUrl: string
  /** Absent when nothing may be sent (pin: false, nid-source: local, no URLs). */
  api?: NumbersApi
  previous?: PinnedIndex
  log: PipelineLogger
  /** Called as an entry's pin request is about to be sent: from then on it may be billed. */
  onPinSent?: (index: number) => void
  /** Called as each entry settles, so a cancelled run can still report what finished. */
  onSettled?: (index: number, result: EntryResult) => void
  /** When aborted, entries not yet started are not started. */
  signal?: AbortSignal
}

/** A file found by discovery, or a URL: `url` is sent as given, `shown` (credentials removed) is shown and stored. */
export type Entry = { source: 'file'; file: LocalFile } | { source: 'url'; url: string; shown: string }

/** Pins content once per run: `first` is false for entries whose content another entry pinned. */
export type PinOnce = (nid: string, upload: Upload, what: string) => Promise<{ answer: PinAnswer; first: boolean }>

export function requireApi(options: PipelineOptions): NumbersApi {
  if (!options.api) throw new Error('internal: a request to Numbers was needed but no client was configured')
  return options.api
}
