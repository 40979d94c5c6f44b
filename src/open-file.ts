import { constants, promises as fs, type Stats } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import type { LocalFile } from './discovery.js'
import { FileError, changedSize } from './errors.js'

/**
 * A discovered file, opened once: hashed and uploaded from this one descriptor, so what is hashed
 * is what is sent. Between discovery and the upload a file can be swapped (a link to a secret, a
 * FIFO, another file): it is opened without following a link and without blocking, then checked
 * with fstat to be the very regular file discovery saw (device, inode, size).
 */
export interface OpenFile {
  handle: FileHandle
  /** Throws a FileError if the file's size or modification time changed since it was opened. */
  assertUnchanged(): Promise<void>
  close(): Promise<void>
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

export async function openDiscovered(file: LocalFile): Promise<OpenFile> {
  let handle: FileHandle
  try {
    handle = await fs.open(file.realPath, FLAGS)
  } catch (error) {
    throw openError(file, error as NodeJS.ErrnoException)
  }
  try {
    const opened = await handle.stat()
    const wrong = mismatch(file, opened)
    if (wrong) throw wrong
    return {
      handle,
      assertUnchanged: async () => {
        const now = await handle.stat()
        if (now.size !== file.size) throw changedSize(file.path, file.size, now.size)
        if (now.mtimeMs !== opened.mtimeMs) throw changed(file, 'it was written to')
      },
      close: () => handle.close()
    }
  } catch (error) {
    await handle.close()
    throw error
  }
}
