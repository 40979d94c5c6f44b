// The hash of everything the bundle is built from, so a test run can tell that dist/ is stale.
// Content only, over a sorted list of repository-relative paths: the same in every clone (no mtimes,
// no absolute paths; .gitattributes makes line endings LF on checkout).
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Where `npm run bundle` records the hash of the sources it built. */
export const HASH_FILE = path.join(ROOT, 'dist', 'sources.sha256')
/** What ncc compiles: the sources and the Numbers mock (every file below these folders), the resolved dependencies, the compiler options. */
const SOURCE_DIRS = ['src', '__fixtures__']
const SOURCE_FILES = ['package-lock.json', 'tsconfig.json']

function filesUnder(relative) {
  const entries = readdirSync(path.join(ROOT, relative), { withFileTypes: true, recursive: true })
  return entries
    .filter(entry => entry.isFile())
    .map(entry => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
}

export function sourceHash() {
  const files = [...SOURCE_DIRS.flatMap(filesUnder), ...SOURCE_FILES].map(file => file.split(path.sep).join('/')).sort()
  const hash = createHash('sha256')
  for (const file of files) {
    const content = createHash('sha256')
      .update(readFileSync(path.join(ROOT, file)))
      .digest('hex')
    hash.update(`${content}  ${file}\n`)
  }
  return hash.digest('hex')
}
