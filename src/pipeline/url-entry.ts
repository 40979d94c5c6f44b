import type { Upload } from '../numbers/client.js'
import type { EntryResult } from '../types.js'
import type { PipelineOptions } from './types.js'
import { requireApi } from './types.js'

/**
 * A URL's content is known only to the service: its Nid (recorded on `result`) is asked for when nothing is pinned, or when
 * an earlier run's pins could let the pin be skipped; otherwise the pin's answer gives it.
 */
export async function identifyUrl(
  url: string,
  shown: string,
  result: EntryResult,
  options: PipelineOptions
): Promise<Upload> {
  const upload = { kind: 'url' as const, url, shown }
  if (options.pin && !options.previous?.size) return upload
  const answer = await requireApi(options).getNid(upload, options.cidVersion)
  Object.assign(result, { nid: answer.cid, size: answer.fileSize })
  return upload
}
