import { limiter, nextTurn } from '../concurrency.js'
import type { LocalFile } from '../discovery.js'
import { openDiscovered } from '../open-file.js'
import type { CidVersion } from '../types.js'
import { HashPool } from './pool.js'

/**
 * Each file's Nid, hashed locally before anything is sent (for a run's cost estimate). A file that
 * cannot be read or hashed is undefined here; the pipeline reports it when it reaches it.
 */
export async function localNids(
  files: readonly LocalFile[],
  version: CidVersion,
  signal?: AbortSignal
): Promise<(string | undefined)[]> {
  if (files.length === 0) return []
  const pool = new HashPool()
  const hashing = limiter(2 * pool.size, signal)
  try {
    return await Promise.all(
      files.map(file =>
        hashing(async () => {
          await nextTurn()
          const open = openDiscovered(file)
          try {
            return (await pool.hashFd(open.fd, file.size, version, file.path)).nid
          } finally {
            open.close()
          }
        }).catch(() => undefined)
      )
    )
  } finally {
    await pool.close()
  }
}
