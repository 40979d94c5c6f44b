/**
 * The pipeline's NumbersApi in memory, for unit tests of the per-entry work (src/pipeline) without
 * HTTP; the HTTP contract is numbers-api.ts's job. It answers with the real CID of the bytes (cid.ts,
 * independent of src/, so local Nids are checked rather than echoed), records every call and how
 * many were in flight at once, and can be scripted per file name or URL to throw, to lie about the
 * CID, to wait for the test, or to run a hook (say, to change the file) while a call is "on the
 * wire": orderings no real server can be made to give on cue.
 */
import { readSync } from 'node:fs'
import type { NidAnswer, PinAnswer, Upload } from '../src/numbers/client.js'
import type { NumbersApi } from '../src/pipeline/types.js'
import type { CidVersion } from '../src/types.js'
import { cidOf } from './cid.js'

export type FakeMethod = 'getNid' | 'pin'

export interface FakeCall {
  method: FakeMethod
  upload: Upload
  version: CidVersion
  /** The upload's key: the file name for files, the URL for URLs. */
  key: string
}

/**
 * What a scripted entry does instead of answering truthfully: throw the error, answer with
 * another CID ('wrong-cid' answers WRONG_CID; `{ cid }` answers that one).
 */
export type Fault = Error | 'wrong-cid' | { cid: string }

export interface FaultRule {
  fault: Fault
  /** Only this method is affected; both when absent. */
  method?: FakeMethod
  /** How many calls it affects before the fake answers truthfully again; forever when absent. */
  times?: number
}

/** The CID a 'wrong-cid' fault answers: the Nid of the empty file, valid but not that of any non-empty upload. */
export const WRONG_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

export class FakeNumbersApi implements NumbersApi {
  readonly calls: FakeCall[] = []
  inFlight = 0
  maxInFlight = 0
  /** Bytes served for URL uploads; a call for a URL not listed here throws. */
  readonly urls = new Map<string, Uint8Array>()
  /** Extra delay per key, on top of the default one (to make an entry finish last). */
  readonly delays = new Map<string, number>()
  /** Hooks run while a call for the key is in flight, before the bytes are read. */
  readonly during = new Map<string, (call: FakeCall) => void | Promise<void>>()
  private readonly rules = new Map<string, FaultRule[]>()
  private readonly gates = new Map<string, Promise<void>>()
  private orders = 0

  constructor(private readonly delayMs = 5) {}

  /** Scripts the calls for a file name or URL: the first matching rule with calls left applies. */
  fail(key: string, fault: Fault, rule: Omit<FaultRule, 'fault'> = {}): this {
    const rules = this.rules.get(key) ?? []
    rules.push({ fault, ...rule })
    this.rules.set(key, rules)
    return this
  }

  /** Holds every call for the key until the returned function is called. */
  hold(key: string): () => void {
    let release!: () => void
    this.gates.set(
      key,
      new Promise<void>(resolve => {
        release = resolve
      })
    )
    return () => {
      this.gates.delete(key)
      release()
    }
  }

  /** The calls of one method, or for one key. */
  callsOf(filter: { method?: FakeMethod; key?: string }): FakeCall[] {
    return this.calls.filter(
      c =>
        (filter.method === undefined || c.method === filter.method) &&
        (filter.key === undefined || c.key === filter.key)
    )
  }

  getNid(upload: Upload, version: CidVersion): Promise<NidAnswer> {
    return this.answer('getNid', upload, version)
  }

  async pin(upload: Upload, version: CidVersion): Promise<PinAnswer> {
    const answer = await this.answer('pin', upload, version)
    return { ...answer, fileUrl: `https://gw.example/ipfs/${answer.cid}`, orderId: `order-${++this.orders}` }
  }

  private takeFault(key: string, method: FakeMethod): Fault | undefined {
    const rule = this.rules.get(key)?.find(r => (r.method ?? method) === method && (r.times ?? 1) > 0)
    if (!rule) return undefined
    if (rule.times !== undefined) rule.times--
    return rule.fault
  }

  private async answer(method: FakeMethod, upload: Upload, version: CidVersion): Promise<NidAnswer> {
    const key = upload.kind === 'file' ? upload.name : upload.url
    const call: FakeCall = { method, upload, version, key }
    this.calls.push(call)
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      await new Promise(resolve => setTimeout(resolve, this.delayMs + (this.delays.get(key) ?? 0)))
      await this.gates.get(key)
      await this.during.get(key)?.(call)
      const fault = this.takeFault(key, method)
      if (fault instanceof Error) throw fault
      let bytes: Uint8Array
      if (upload.kind === 'file') {
        // What a request would carry: the `size` bytes of the file opened for it.
        bytes = Buffer.alloc(upload.size)
        readSync(upload.fd, bytes, 0, upload.size, 0)
      } else {
        const served = this.urls.get(upload.url)
        if (!served) throw new Error(`fake: no content registered for ${upload.url}`)
        bytes = served
      }
      const cid = fault === 'wrong-cid' ? WRONG_CID : fault !== undefined ? fault.cid : await cidOf(bytes, version)
      return { cid, fileSize: bytes.length, cidVersion: version }
    } finally {
      this.inFlight--
    }
  }
}
