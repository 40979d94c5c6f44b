import * as path from 'node:path'
import type { LocalFile } from '../discovery.js'
import { CidMismatchError } from '../errors.js'
import type { FileDigest } from '../nid/hash.js'
import type { Upload } from '../numbers/client.js'
import type { OpenFile } from '../open-file.js'
import type { EntryResult } from '../types.js'
import type { PipelineOptions } from './types.js'
import { requireApi } from './types.js'

/** A file opened once and hashed from that descriptor: what is uploaded is what was hashed. */
export interface PreparedFile {
  open: OpenFile
  digest: FileDigest
}

/**
 * A local file's Nid and sha256 (hashed locally), recorded on `result` as soon as they are known, then
 * checked against Get Nid from File with nid-source: api. Returns what to upload: the open file.
 */
export async function identifyFile(
  file: LocalFile,
  prepared: PreparedFile,
  result: EntryResult,
  options: PipelineOptions
): Promise<Upload> {
  const { open, digest } = prepared
  const upload: Upload = {
    kind: 'file',
    fd: open.fd,
    name: path.basename(file.absolutePath),
    shown: file.path,
    size: file.size
  }
  // Not logged here: the entry's own line shows its Nid (one line per file is what a long run can afford).
  Object.assign(result, { nid: digest.nid, sha256: digest.sha256 })
  if (options.nidSource === 'api') {
    open.assertUnchanged()
    const answer = await requireApi(options).getNid(upload, options.cidVersion)
    if (answer.cid !== digest.nid) throw new CidMismatchError(digest.nid, answer.cid, 'Get Nid from File')
  }
  return upload
}
