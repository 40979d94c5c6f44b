/**
 * A manifest's JSON checked field by field. Manifests come from artifacts and caches other jobs wrote:
 * hostile input. Every field is checked for its type, shape and length, unknown fields are dropped,
 * and gateway links are not kept (they are rebuilt from the reader's own gateway-url).
 */
import { CID } from 'multiformats/cid'
import { MAX_SHARDS, type Fingerprint, type ShardPosition } from './shard.js'
import type { EarlierPin, Manifest, Provenance } from './manifest.js'
import { hasUnsafeCharacters } from './safe-text.js'
import type { CidVersion, EntryResult, EntryStatus } from './types.js'

export const MANIFEST_SCHEMA = 'numbers-pin-action/manifest@1'

/** Why a manifest was refused: `at` is the JSON path of the offending field. */
export class SchemaError extends Error {
  constructor(
    readonly at: string,
    why: string
  ) {
    super(`${at} ${why}`)
    this.name = 'SchemaError'
  }
}

/** Longest strings accepted, in characters: generous for real values, small enough to stay readable. */
const MAX = { short: 256, text: 4096, url: 8192 } as const
/** The longest order ID and file URL a Numbers answer gives (src/numbers/answers.ts). */
const MAX_ORDER_ID = 128
const MAX_FILE_URL = 2048

/** At most this many paths are kept per pin: enough to recognise it, bounded whatever a manifest holds. */
export const MAX_PATHS_PER_PIN = 10

/** A path or URL as the ledger keeps it: printable and bounded, or undefined. */
export function ledgerPath(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= 4096 && !hasUnsafeCharacters(value)
    ? value
    : undefined
}

const STATUSES: readonly EntryStatus[] = ['pinned', 'repinned', 'already-pinned', 'nid-only', 'failed']
/** dag-pb (files of more than one block) and raw (single-block CIDv1) over sha2-256: what Kubo's add makes. */
const NID_CODECS = [0x70, 0x55]
const SHA2_256 = 0x12

type Json = Record<string, unknown>

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaError(at, 'is not an object')
  return value as Json
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new SchemaError(at, 'is not an array')
  return value
}

function string(value: unknown, at: string, max: number = MAX.short): string {
  if (typeof value !== 'string') throw new SchemaError(at, 'is not a string')
  if (value.length > max) throw new SchemaError(at, `is longer than ${max} characters`)
  return value
}

function integer(value: unknown, at: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SchemaError(at, `is not a whole number from ${min} to ${max}`)
  }
  return value
}

function oneOf<T>(value: unknown, allowed: readonly T[], at: string): T {
  if (!allowed.includes(value as T)) throw new SchemaError(at, `is not one of ${allowed.join(', ')}`)
  return value as T
}

function timestamp(value: unknown, at: string): string {
  const text = string(value, at, 64)
  if (Number.isNaN(Date.parse(text))) throw new SchemaError(at, 'is not a date and time')
  return text
}

function httpUrl(value: unknown, at: string, max: number = MAX.url): string {
  const text = string(value, at, max)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new SchemaError(at, 'is not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SchemaError(at, 'is not an http(s) URL')
  return text
}

/** A Nid of the manifest's CID version, in its canonical spelling. */
function nid(value: unknown, version: CidVersion, at: string): string {
  const text = string(value, at, 128)
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch {
    throw new SchemaError(at, 'is not a CID')
  }
  if (
    cid.version !== version ||
    cid.toString() !== text ||
    !NID_CODECS.includes(cid.code) ||
    cid.multihash.code !== SHA2_256 ||
    cid.multihash.size !== 32
  ) {
    throw new SchemaError(at, `is not a CIDv${version} Nid (sha2-256, dag-pb or raw, canonical base)`)
  }
  return text
}

/** Copies the optional fields present, each checked. */
function optional<T extends object>(
  source: Json,
  target: T,
  checks: { [K in keyof T]?: (value: unknown, at: string) => T[K] },
  at: string
): void {
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    if (source[key] !== undefined) target[key] = checks[key]!(source[key], at ? `${at}.${key}` : key)
  }
}

/** The fields of a pin (an earlier pin, or a pinned result), as every reader of a manifest checks them. */
export interface PinFields {
  nid: string
  orderId?: string
  fileUrl?: string
  /** An earlier pin's paths. */
  paths?: string[]
}

/** The checks of a pin's optional fields: what a Numbers answer and this action's ledger can hold. */
const PIN_FIELDS = {
  orderId: (value: unknown, at: string): string => {
    const text = string(value, at, MAX_ORDER_ID)
    if (hasUnsafeCharacters(text)) throw new SchemaError(at, 'is not a printable order ID')
    return text
  },
  fileUrl: (value: unknown, at: string): string => {
    const text = httpUrl(value, at, MAX_FILE_URL)
    if (!/^https?:\/\/[\x21-\x7e]+$/.test(text)) throw new SchemaError(at, 'is not a printable http(s) URL')
    return text
  },
  paths: (value: unknown, at: string): string[] => {
    const paths = array(value, at)
    if (paths.length > MAX_PATHS_PER_PIN) throw new SchemaError(at, `holds more than ${MAX_PATHS_PER_PIN} paths`)
    return paths.map((p, i) => {
      const path = ledgerPath(p)
      if (path === undefined) throw new SchemaError(`${at}[${i}]`, 'is not a printable path of at most 4096 characters')
      return path
    })
  }
}

/**
 * A pin's fields checked, its Nid one of `version`: the one check of a pin, whatever the reader does
 * with one that fails (the merge refuses the manifest; the pin action drops and counts the entry).
 */
export function pinFields(json: Json, version: CidVersion, at: string): PinFields {
  const pin: PinFields = { nid: nid(json.nid, version, at ? `${at}.nid` : 'nid') }
  optional(json, pin, PIN_FIELDS, at)
  return pin
}

/**
 * The entry lists of a parsed manifest, for the readers that take the entries they can use rather
 * than refuse the file: only a file that is not a manifest at all is an error, made by `invalid`.
 */
export function entryLists(
  data: unknown,
  invalid: (why: string) => Error
): { results: unknown[]; earlierPins: unknown[] } {
  const { results, earlierPins = [] } = (data ?? {}) as { results?: unknown; earlierPins?: unknown }
  if (!Array.isArray(results)) throw invalid('no results array')
  if (!Array.isArray(earlierPins)) throw invalid('earlierPins is not an array')
  return { results, earlierPins }
}

/** The JSON in `text`; `invalid` makes the error for text that is not JSON. */
export function parseJson(text: string, invalid: (why: string) => Error): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw invalid('not valid JSON')
  }
}

function cidVersionOf(value: unknown, at: string): CidVersion {
  return oneOf<CidVersion>(value, [0, 1], at)
}

function entry(value: unknown, version: CidVersion, at: string): EntryResult {
  const json = object(value, at)
  const source = oneOf(json.source, ['file', 'url'] as const, `${at}.source`)
  const result: EntryResult = { source, cidVersion: version, status: 'failed' }
  if (source === 'file') result.path = string(json.path, `${at}.path`, MAX.text)
  else result.url = httpUrl(json.url, `${at}.url`)
  optional(
    json,
    result,
    {
      size: (v, a) => integer(v, a),
      sha256: (v, a) => {
        if (!/^[0-9a-f]{64}$/.test(string(v, a))) throw new SchemaError(a, 'is not a sha256 in hex')
        return v as string
      },
      nid: (v, a) => nid(v, version, a)
    },
    at
  )
  if (cidVersionOf(json.cidVersion, `${at}.cidVersion`) !== version) {
    throw new SchemaError(`${at}.cidVersion`, `is not the manifest's cidVersion (${version})`)
  }
  result.status = oneOf(json.status, STATUSES, `${at}.status`)
  optional(
    json,
    result,
    { orderId: PIN_FIELDS.orderId, fileUrl: PIN_FIELDS.fileUrl, error: (v, a) => string(v, a, MAX.text) },
    at
  )
  if (result.status !== 'failed' && result.nid === undefined)
    throw new SchemaError(at, `is ${result.status} but has no nid`)
  if (result.status === 'failed' && result.error === undefined) throw new SchemaError(at, 'failed but has no error')
  return result
}

function earlierPin(value: unknown, version: CidVersion, at: string): EarlierPin {
  const { nid, ...fields } = pinFields(object(value, at), version, at)
  if (cidVersionOf((value as Json).cidVersion, `${at}.cidVersion`) !== version) {
    throw new SchemaError(`${at}.cidVersion`, `is not the manifest's cidVersion (${version})`)
  }
  return { nid, cidVersion: version, ...fields }
}

function provenance(value: unknown, at: string): Provenance {
  const json = object(value, at)
  const text = (key: keyof Provenance): string => string(json[key], `${at}.${key}`, MAX.text)
  return {
    repository: text('repository'),
    sha: text('sha'),
    ref: text('ref'),
    workflow: text('workflow'),
    runId: integer(json.runId, `${at}.runId`),
    runAttempt: integer(json.runAttempt, `${at}.runAttempt`),
    runUrl: text('runUrl'),
    event: text('event'),
    actor: text('actor')
  }
}

function shardPosition(value: unknown, at: string): ShardPosition {
  const json = object(value, at)
  const total = integer(json.total, `${at}.total`, 1, MAX_SHARDS)
  return { index: integer(json.index, `${at}.index`, 1, total), total }
}

function fingerprint(value: unknown, at: string): Fingerprint {
  const json = object(value, at)
  const sha256 = string(json.sha256, `${at}.sha256`)
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new SchemaError(`${at}.sha256`, 'is not a sha256 in hex')
  return { count: integer(json.count, `${at}.count`), sha256 }
}

/** The manifest in `data` (parsed JSON), every field checked; throws a SchemaError naming the first bad one. */
export function parseManifest(data: unknown): Manifest {
  const json = object(data, 'the manifest')
  if (json.schema !== MANIFEST_SCHEMA) throw new SchemaError('schema', `is not ${MANIFEST_SCHEMA}`)
  const cidVersion = cidVersionOf(json.cidVersion, 'cidVersion')
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    actionVersion: string(json.actionVersion, 'actionVersion', 64),
    cidVersion,
    startedAt: timestamp(json.startedAt, 'startedAt'),
    finishedAt: timestamp(json.finishedAt, 'finishedAt'),
    complete: oneOf(json.complete, [true, false], 'complete'),
    provenance: provenance(json.provenance, 'provenance'),
    results: array(json.results, 'results').map((e, i) => entry(e, cidVersion, `results[${i}]`)),
    earlierPins: array(json.earlierPins ?? [], 'earlierPins').map((p, i) =>
      earlierPin(p, cidVersion, `earlierPins[${i}]`)
    )
  }
  optional(json, manifest, { shard: shardPosition, fingerprint, shards: (v, a) => integer(v, a, 1, MAX_SHARDS) }, '')
  return manifest
}
