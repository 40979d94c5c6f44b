import type { CidVersion } from '../types.js'
import { SizeChangedError, type FileDigest } from './hash.js'
import { AbortedError, type Ring, type Share } from './split.js'

/** The messages between the pool and its workers. */

export type JobRequest = { id: number; fd: number; size: number; version: CidVersion } & (
  { share?: undefined } | { share: Share; ring: Ring }
)

/** Errors cross the thread boundary as data: the pool turns them back into the user's messages. */
export type WorkerFailure =
  | { kind: 'size'; expected: number; actual: number }
  | { kind: 'aborted' }
  | { kind: 'io'; code?: string; message: string }

export type JobReply = { id: number } & (
  | { digest: FileDigest; half?: undefined; error?: undefined }
  | { half: string; digest?: undefined; error?: undefined }
  | { error: WorkerFailure; digest?: undefined; half?: undefined }
)

export function failureOf(error: unknown): WorkerFailure {
  if (error instanceof SizeChangedError) return { kind: 'size', expected: error.expected, actual: error.actual }
  if (error instanceof AbortedError) return { kind: 'aborted' }
  const { code, message } = error as NodeJS.ErrnoException
  return { kind: 'io', code, message: String(message ?? error) }
}
