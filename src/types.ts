/** Types shared by the Nid, the Numbers client, the pipeline, the manifest and the report. */

/** 1: `bafy…`/`bafk…` (the Nid); 0: Kubo's plain `ipfs add` (`Qm…`). */
export type CidVersion = 0 | 1
export type NidSource = 'local' | 'api'
export type NoFilesBehavior = 'error' | 'warn' | 'ignore'

/** The Numbers endpoints this action calls: behaviour is decided by these ids, never by display names. */
export enum Endpoint {
  GetNid = 'get-nid',
  Pin = 'pin',
  Unpin = 'unpin'
}

/** How each endpoint is named in messages, as Numbers' documentation names it. */
export const ENDPOINT_NAME: Record<Endpoint, string> = {
  [Endpoint.GetNid]: 'Get Nid from File',
  [Endpoint.Pin]: 'Pin file to IPFS',
  [Endpoint.Unpin]: 'Unpin Nid/Cid from IPFS'
}

/** The input that sets each endpoint's URL: what to check when it is not found. */
export const ENDPOINT_INPUT: Record<Endpoint, string> = {
  [Endpoint.GetNid]: 'nid-api-url',
  [Endpoint.Pin]: 'pin-api-url',
  [Endpoint.Unpin]: 'unpin-api-url'
}

/** `repinned`: an earlier run's pin was missing at the gateway (verify-previous) and was pinned again, as a new order. */
export type EntryStatus = 'pinned' | 'repinned' | 'already-pinned' | 'nid-only' | 'failed'

/** The statuses of entries that are pins now: what the ledger, the links and `pinned-count` count. */
export const PINNED_STATUSES: readonly EntryStatus[] = ['pinned', 'repinned', 'already-pinned']

/** The statuses of entries whose pin this run ordered (and pays for). */
export const NEW_PIN_STATUSES: readonly EntryStatus[] = ['pinned', 'repinned']

/** One file or URL's outcome: the shape of the `results` output and of the manifest's entries. */
export interface EntryResult {
  source: 'file' | 'url'
  path?: string
  url?: string
  size?: number
  sha256?: string
  nid?: string
  cidVersion: CidVersion
  status: EntryStatus
  orderId?: string
  fileUrl?: string
  gatewayUrl?: string
  error?: string
}

/** One settled entry and its JSON text: what the manifest and the `results` output hold. */
export interface SettledResult {
  result: EntryResult
  json: string
}

/**
 * A run's results, walked in entry order as often as needed: each walk starts anew. The pin action
 * keeps them in a spool file (src/result-spool.ts), so 100,000 of them never sit in memory at once.
 */
export interface ResultSet extends Iterable<SettledResult> {
  readonly size: number
  /** The JSON texts alone, in entry order: what the manifest copies without parsing. */
  lines(): Iterable<string>
}

/** What an earlier run pinned, by Nid: pins listed here are not paid for again. */
export type PinnedIndex = ReadonlyMap<string, PinRecord>

/** What the ledger knows of one pin: its order, its file URL, and the paths or URLs that held it. */
export interface PinRecord {
  orderId?: string
  fileUrl?: string
  paths?: readonly string[]
}

/** `unpin-absent`: leave earlier pins alone, list what would be unpinned, or unpin it. */
export type UnpinMode = 'false' | 'plan' | 'true'

/** Where a module's messages go; the action's entry backs it with `@actions/core`. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
}
