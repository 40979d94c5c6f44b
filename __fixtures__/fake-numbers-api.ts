import { readFile } from 'node:fs/promises'
import type { CidVersion } from '../src/inputs.js'
import type { NidAnswer, PinAnswer, Upload } from '../src/numbers-client.js'
import type { NumbersApi } from '../src/pipeline.js'
import { kuboCid } from './numbers-api.js'

export interface FakeCall {
  method: 'getNid' | 'pin'
  upload: Upload
  version: CidVersion
}

/**
 * An in-memory NumbersApi for pipeline unit tests: answers with the real CID of the uploaded bytes
 * (computed by the importer), records calls and concurrency, and can be told to fail or lie.
 */
export class FakeNumbersApi implements NumbersApi {
  readonly calls: FakeCall[] = []
  inFlight = 0
  maxInFlight = 0
  /** Per file name or URL: an error to throw, or 'wrong-cid'. */
  readonly faults = new Map<string, Error | 'wrong-cid'>()
  /** Bytes served for URL uploads. */
  readonly urls = new Map<string, Uint8Array>()
  private orders = 0

  constructor(private readonly delayMs = 5) {}

  getNid(upload: Upload, version: CidVersion): Promise<NidAnswer> {
    return this.answer('getNid', upload, version)
  }

  async pin(upload: Upload, version: CidVersion): Promise<PinAnswer> {
    const answer = await this.answer('pin', upload, version)
    return { ...answer, fileUrl: `https://gw.example/ipfs/${answer.cid}`, orderId: `order-${++this.orders}` }
  }

  private async answer(method: FakeCall['method'], upload: Upload, version: CidVersion): Promise<NidAnswer> {
    this.calls.push({ method, upload, version })
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      await new Promise(resolve => setTimeout(resolve, this.delayMs))
      const key = upload.kind === 'file' ? upload.name : upload.url
      const fault = this.faults.get(key)
      if (fault instanceof Error) throw fault
      const bytes =
        upload.kind === 'file' ? await readFile(upload.path) : (this.urls.get(upload.url) ?? new Uint8Array())
      const cid =
        fault === 'wrong-cid'
          ? 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
          : await kuboCid(bytes, version)
      return { cid, fileSize: bytes.length, cidVersion: version }
    } finally {
      this.inFlight--
    }
  }
}
