import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs'
import type { LocalFile } from './discovery.js'
import { FileError, changedSize } from './errors.js'

/**
 * A discovered file, opened once: hashed and uploaded from this one descriptor, so what is hashed
 * is what is sent. Between discovery and the upload a file can be swapped (a link to a secret, a
 * FIFO, another file): it is opened without following a link and without blocking, then checked
 * with fstat to be the very regular file discovery saw (device, inode, size).
 *
 * The calls are synchronous: each takes microseconds on a local disk, far less than a trip through
 * libuv's thread pool, and O_NONBLOCK keeps a FIFO put in a file's place from blocking the open.
 */
export interface OpenFile {
  /** The descriptor; read it only with positional reads (it is shared by the hash and the upload). */
  fd: number
  /** Why the file is not sent, if its size or modification time changed since it was opened. */
  changed(): FileError | undefined
  /** Throws `changed()`, if any. */
  assertUnchanged(): void
  /** Closes the descriptor; once only, however often it is called (a number may be reused at once). */
  close(): void
}

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

function changed(file: LocalFile, how: string): FileError {
  return new FileError(
    file.path,
    `changed after it was found: ${how}; it is not sent. Make sure nothing replaces files during this step`
  )
}

function openError(file: LocalFile, error: NodeJS.ErrnoException): FileError {
  switch (error.code) {
    case 'ENOENT':
      return new FileError(
        file.path,
        `disappeared after it was found (ENOENT); make sure nothing deletes it during this step`
      )
    case 'ELOOP':
      return changed(file, 'it is now a symbolic link')
    default:
      return new FileError(file.path, `cannot be read (${error.code ?? 'error'}); check its permissions`)
  }
}

/** Why `stats` (of what was opened) is not the file discovery saw, if it is not. */
function mismatch(file: LocalFile, stats: Stats): FileError | undefined {
  if (!stats.isFile()) return changed(file, 'it is no longer a regular file')
  if (stats.dev !== file.dev || stats.ino !== file.ino) return changed(file, 'another file is in its place')
  if (stats.size !== file.size) return changedSize(file.path, file.size, stats.size)
  return undefined
}

export function openDiscovered(file: LocalFile): OpenFile {
  let fd: number
  try {
    fd = openSync(file.realPath, FLAGS)
  } catch (error) {
    throw openError(file, error as NodeJS.ErrnoException)
  }
  try {
    const opened = fstatSync(fd)
    const wrong = mismatch(file, opened)
    if (wrong) throw wrong
    let closed = false
    const changedNow = (): FileError | undefined => {
      const now = fstatSync(fd)
      if (now.size !== file.size) return changedSize(file.path, file.size, now.size)
      if (now.mtimeMs !== opened.mtimeMs) return changed(file, 'it was written to')
      return undefined
    }
    return {
      fd,
      changed: changedNow,
      assertUnchanged: () => {
        const wrongNow = changedNow()
        if (wrongNow) throw wrongNow
      },
      close: () => {
        if (closed) return
        closed = true
        closeSync(fd)
      }
    }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}
