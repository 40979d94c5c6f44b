import { execFileSync } from 'node:child_process'
import { readFileSync, readSync, readdirSync, promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { LocalFile } from '../../src/discovery.js'
import { FileError } from '../../src/errors.js'
import { openDiscovered } from '../../src/open-file.js'

let dir: string

beforeEach(async () => {
  dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'open-file-')))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

/** A file written now and described as discovery would describe it. */
async function discovered(name: string, content: string): Promise<LocalFile> {
  const file = path.join(dir, name)
  await fs.writeFile(file, content)
  const stats = await fs.stat(file)
  return { absolutePath: file, path: name, size: stats.size, realPath: file, dev: stats.dev, ino: stats.ino }
}

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length
}

/** Opening `file` is refused with a FileError naming it and saying `why`, and leaves no descriptor open. */
async function expectRefused(file: LocalFile, why: string | RegExp): Promise<FileError> {
  const before = openDescriptors()
  let error: unknown
  try {
    openDiscovered(file).close()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(FileError)
  const refused = error as FileError
  expect(refused.file).toBe(file.path)
  expect(refused.message.startsWith(`${file.path}: `)).toBe(true)
  expect(refused.message).toMatch(why)
  expect(openDescriptors()).toBe(before)
  return refused
}

test('the regular file discovery saw opens, and reads its bytes', async () => {
  const file = await discovered('app.bin', 'hello, numbers')
  const before = openDescriptors()
  const opened = openDiscovered(file)
  expect(openDescriptors()).toBe(before + 1)
  try {
    const buffer = Buffer.alloc(64)
    const bytesRead = readSync(opened.fd, buffer, 0, 64, 0)
    expect(buffer.subarray(0, bytesRead).toString()).toBe('hello, numbers')
    expect(opened.changed()).toBeUndefined()
    expect(() => opened.assertUnchanged()).not.toThrow()
  } finally {
    opened.close()
  }
  expect(openDescriptors()).toBe(before)
  // A second close closes nothing: the number may already be another file's.
  const other = openDiscovered(file)
  opened.close()
  expect(openDescriptors()).toBe(before + 1)
  other.close()
})

test('an empty file opens', async () => {
  const opened = openDiscovered(await discovered('empty', ''))
  opened.assertUnchanged()
  opened.close()
})

test('a file found through a link is opened at its real path', async () => {
  const target = await discovered('target.txt', 'real bytes')
  await fs.symlink(target.realPath, path.join(dir, 'link.txt'))
  const viaLink = { ...target, absolutePath: path.join(dir, 'link.txt'), path: 'link.txt' }
  const opened = openDiscovered(viaLink)
  expect(readFileSync(opened.fd).toString()).toBe('real bytes')
  opened.close()
})

test('a file deleted after discovery: "disappeared after it was found"', async () => {
  const file = await discovered('gone.txt', 'bytes')
  await fs.rm(file.realPath)
  await expectRefused(file, /disappeared after it was found \(ENOENT\); make sure nothing deletes it/)
})

test('a symbolic link now in its place (to a secret, say) is not followed: "it is now a symbolic link"', async () => {
  const file = await discovered('swapped.txt', 'bytes')
  const secret = await discovered('secret.txt', 'SECRET')
  await fs.rm(file.realPath)
  await fs.symlink(secret.realPath, file.realPath)
  await expectRefused(file, /changed after it was found: it is now a symbolic link; it is not sent/)
})

test('a FIFO in its place is refused at once, without blocking: "no longer a regular file"', async () => {
  const file = await discovered('pipe', 'bytes')
  await fs.rm(file.realPath)
  execFileSync('mkfifo', [file.realPath])
  await expectRefused(file, /changed after it was found: it is no longer a regular file/)
})

test('a directory in its place: "no longer a regular file"', async () => {
  const file = await discovered('dir', 'bytes')
  await fs.rm(file.realPath)
  await fs.mkdir(file.realPath)
  await expectRefused(file, /it is no longer a regular file/)
})

test('another file renamed into its place, even of the same size: "another file is in its place"', async () => {
  const file = await discovered('a.txt', 'aaaa')
  const other = await discovered('b.txt', 'bbbb')
  await fs.rename(other.realPath, file.realPath)
  await expectRefused(file, /changed after it was found: another file is in its place/)
})

test('a file whose size changed since discovery: "changed size"', async () => {
  const file = await discovered('grows.txt', '12345')
  await fs.appendFile(file.realPath, '678')
  await expectRefused(file, /changed size from 5 to 8 bytes after it was found; make sure nothing writes to it/)
})

test('a file truncated since discovery: "changed size"', async () => {
  const file = await discovered('shrinks.txt', '12345')
  await fs.truncate(file.realPath, 0)
  await expectRefused(file, /changed size from 5 to 0 bytes/)
})

describe('assertUnchanged', () => {
  test('refuses a file written to after it was opened, even with its size kept (its mtime changed)', async () => {
    const file = await discovered('written.txt', 'before')
    const opened = openDiscovered(file)
    try {
      await fs.writeFile(file.realPath, 'after!')
      // An explicit, different mtime: the write may land within the clock's resolution.
      await fs.utimes(file.realPath, new Date(2001, 0, 1), new Date(2001, 0, 1))
      const written = new FileError(
        'written.txt',
        'changed after it was found: it was written to; it is not sent. Make sure nothing replaces files during this step'
      )
      expect(opened.changed()).toEqual(written)
      expect(() => opened.assertUnchanged()).toThrow(written)
    } finally {
      opened.close()
    }
  })

  test('refuses a file whose size changed after it was opened', async () => {
    const file = await discovered('appended.txt', 'abc')
    const opened = openDiscovered(file)
    try {
      await fs.appendFile(file.realPath, 'defg')
      expect(() => opened.assertUnchanged()).toThrow(/^appended\.txt: changed size from 3 to 7 bytes/)
    } finally {
      opened.close()
    }
  })

  test('checks the opened file, not whatever now stands at its path', async () => {
    const file = await discovered('kept.txt', 'same')
    const opened = openDiscovered(file)
    try {
      await fs.rm(file.realPath)
      await fs.writeFile(file.realPath, 'a different, longer file')
      expect(opened.changed()).toBeUndefined()
      expect(readFileSync(opened.fd).toString()).toBe('same')
    } finally {
      opened.close()
    }
  })
})
