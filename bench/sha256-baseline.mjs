// The yardstick of `npm run bench`: one Node process on one core that reads every file given (a
// file, or a folder walked recursively) once through one reused 1 MiB buffer and prints its sha256,
// like sha256sum.
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs'
import * as path from 'node:path'

const buffer = Buffer.allocUnsafe(2 ** 20)
const lines = []
for (const target of process.argv.slice(2)) {
  const files = statSync(target).isDirectory()
    ? readdirSync(target, { recursive: true, withFileTypes: true })
        .filter(entry => entry.isFile())
        .map(entry => path.join(entry.parentPath ?? entry.path, entry.name))
    : [target]
  for (const file of files) {
    const fd = openSync(file, 'r')
    const hash = createHash('sha256')
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n))
    closeSync(fd)
    lines.push(`${hash.digest('hex')}  ${file}\n`)
  }
}
process.stdout.write(lines.join(''))
