import { randomBytes } from 'node:crypto'
import { promises as fs, writeSync } from 'node:fs'
import * as path from 'node:path'

/**
 * Writes all of `text` at the descriptor's offset. Synchronous on purpose: a local file takes a
 * 32 KiB piece in microseconds, less than one trip through libuv's thread pool, and the report's
 * files are hundreds of pieces at 100,000 entries.
 */
export function writeAllSync(fd: number, text: string): void {
  for (let data = Buffer.from(text); data.length > 0;) data = data.subarray(writeSync(fd, data))
}

/**
 * Writes `file` through a temporary file in the same folder and a rename: readers see all of it or
 * none, so an interrupted run never leaves half a manifest where the next run reads it. `produce`
 * writes the text in pieces.
 */
export async function writeAtomically(file: string, produce: (write: (text: string) => void) => void): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  )
  const handle = await fs.open(temporary, 'wx')
  try {
    produce(text => writeAllSync(handle.fd, text))
    await handle.close()
    await fs.rename(temporary, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await fs.rm(temporary, { force: true })
    throw error
  }
}
