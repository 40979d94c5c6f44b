import type { LocalFile } from '../discovery.js'
import type { Verdict } from '../gateway/verdict.js'
import type { NidAnswer, PinAnswer, Upload } from '../numbers/client.js'
import type { CidVersion, EntryResult, NidSource, PinnedIndex } from '../types.js'

/** The two calls the pipeline makes; NumbersClient implements it. */
export interface NumbersApi {
  getNid(upload: Upload, version: CidVersion): Promise<NidAnswer>
  pin(upload: Upload, version: CidVersion): Promise<PinAnswer>
}

/** Checks an earlier run's pin at the gateway: checkRootBlock, bound to the run's gateway and settings. */
export type CheckPin = (nid: string) => Promise<Verdict>

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
  /**
   * verify-previous: set, each earlier pin is checked before it lets an entry be skipped; a missing
   * one is pinned again, a corrupt one fails its entry. Absent: earlier pins are trusted as listed.
   */
  checkPin?: CheckPin
  log: PipelineLogger
  /** Called as an entry's pin request is about to be sent: from then on it may be billed. */
  onPinSent?: (index: number) => void
  /** Receives each entry's result as it settles (in any order); the pipeline keeps none. */
  onSettled: (index: number, result: EntryResult) => void
  /** A result `onSettled` received, read back: a duplicate shares the answer of the entry that pinned. */
  recall: (index: number) => EntryResult
  /** When aborted, entries not yet started are not started. */
  signal?: AbortSignal
}

/**
 * A file found by discovery (a DiscoveredFile is its own entry: no wrapper per file), or a URL: `url`
 * is sent as given, `shown` (credentials removed) is shown and stored.
 */
export type Entry = { source: 'file'; file: LocalFile } | { source: 'url'; url: string; shown: string }

/** Pins content once per run: `first` is false for entries whose content another entry pinned. */
export type PinOnce = (nid: string, upload: Upload, what: string) => Promise<{ answer: PinAnswer; first: boolean }>

/**
 * Whether an earlier run's pin (`known`) still lets the entry be skipped (`keep`) or must be made
 * again (`repin`); throws when the gateway serves wrong bytes for it.
 */
export type PreviousPinCheck = (
  nid: string,
  what: string,
  known: NonNullable<ReturnType<PinnedIndex['get']>>
) => Promise<'keep' | 'repin'>

/** What the entries of one run share: one pin per content, one check per earlier pin. */
export interface RunShared {
  pinOnce: PinOnce
  checkPrevious: PreviousPinCheck
}

export function requireApi(options: PipelineOptions): NumbersApi {
  if (!options.api) throw new Error('internal: a request to Numbers was needed but no client was configured')
  return options.api
}
