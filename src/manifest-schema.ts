/**
 * A manifest's JSON checked field by field. Manifests come from artifacts and caches other jobs wrote:
 * hostile input. Every field is checked for its type, shape and length, unknown fields are dropped,
 * and gateway links are not kept (they are rebuilt from the reader's own gateway-url).
 */
import { CID } from 'multiformats/cid'
import { MAX_SHARDS, type Fingerprint, type ShardPosition } from './shard.js'
import { ledgerPath, MAX_PATHS_PER_PIN, type EarlierPin, type Manifest, type Provenance } from './manifest.js'
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

function httpUrl(value: unknown, at: string): string {
  const text = string(value, at, MAX.url)
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
    {
      orderId: (v, a) => string(v, a),
      fileUrl: (v, a) => httpUrl(v, a),
      error: (v, a) => string(v, a, MAX.text)
    },
    at
  )
  if (result.status !== 'failed' && result.nid === undefined)
    throw new SchemaError(at, `is ${result.status} but has no nid`)
  if (result.status === 'failed' && result.error === undefined) throw new SchemaError(at, 'failed but has no error')
  return result
}

function earlierPin(value: unknown, version: CidVersion, at: string): EarlierPin {
  const json = object(value, at)
  const pin: EarlierPin = { nid: nid(json.nid, version, `${at}.nid`), cidVersion: version }
  if (cidVersionOf(json.cidVersion, `${at}.cidVersion`) !== version) {
    throw new SchemaError(`${at}.cidVersion`, `is not the manifest's cidVersion (${version})`)
  }
  optional(
    json,
    pin,
    {
      orderId: (v, a) => string(v, a),
      fileUrl: (v, a) => httpUrl(v, a),
      paths: (v, a) => {
        const paths = array(v, a)
        if (paths.length > MAX_PATHS_PER_PIN) throw new SchemaError(a, `holds more than ${MAX_PATHS_PER_PIN} paths`)
        return paths.map((p, i) => {
          const path = ledgerPath(p)
          if (path === undefined)
            throw new SchemaError(`${a}[${i}]`, 'is not a printable path of at most 4096 characters')
          return path
        })
      }
    },
    at
  )
  return pin
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
