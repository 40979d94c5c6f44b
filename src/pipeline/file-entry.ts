import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { LocalFile } from '../discovery.js'
import { CidMismatchError, FileError } from '../errors.js'
import type { FileDigest } from '../nid.js'
import type { Upload } from '../numbers/client.js'
import type { EntryResult } from '../types.js'
import type { PipelineOptions } from './types.js'
import { requireApi } from './types.js'

/** The one message for a file whose size is no longer the size discovery saw. */
export function changedSize(file: LocalFile, size: number): FileError {
  return new FileError(
    file.path,
    `changed size from ${file.size} to ${size} bytes after it was found; make sure nothing writes to it during this step`
  )
}

/** A file that vanished or changed size since discovery is not uploaded: its Nid would be stale. */
export async function assertUnchanged(file: LocalFile): Promise<void> {
  let size: number
  try {
    size = (await fs.stat(file.absolutePath)).size
  } catch (error) {
    throw new FileError(
      file.path,
      `disappeared after it was found (${(error as NodeJS.ErrnoException).code}); make sure nothing deletes it during this step`
    )
  }
  if (size !== file.size) throw changedSize(file, size)
}

/**
 * A local file's Nid and sha256 (hashed locally), recorded on `result` as soon as they are known, then
 * checked against Get Nid from File with nid-source: api. Returns what to upload.
 */
export async function identifyFile(
  file: LocalFile,
  pendingDigest: Promise<FileDigest | undefined> | undefined,
  result: EntryResult,
  options: PipelineOptions
): Promise<Upload> {
  const upload: Upload = {
    kind: 'file',
    path: file.absolutePath,
    name: path.basename(file.absolutePath),
    shown: file.path,
    size: file.size
  }
  const digest = await pendingDigest
  if (!digest) throw new Error('cancelled before its Nid was computed')
  if (digest.size !== file.size) throw changedSize(file, digest.size)
  Object.assign(result, { nid: digest.nid, sha256: digest.sha256 })
  options.log.debug(`${file.path}: local Nid ${digest.nid}`)
  if (options.nidSource === 'api') {
    await assertUnchanged(file)
    const answer = await requireApi(options).getNid(upload, options.cidVersion)
    if (answer.cid !== digest.nid) throw new CidMismatchError(digest.nid, answer.cid, 'Get Nid from File')
  }
  return upload
}
