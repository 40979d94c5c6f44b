// Jest globalSetup: the integration tests run dist/, so refuse to test a bundle older than the sources.
import { readFileSync } from 'node:fs'
import { HASH_FILE, sourceHash } from '../scripts/source-hash.mjs'

export default function checkDistIsFresh() {
  let recorded = ''
  try {
    recorded = readFileSync(HASH_FILE, 'utf8').trim()
  } catch {
    // No hash file: a dist/ from before the hash, or none at all; stale either way.
  }
  if (recorded !== sourceHash()) {
    throw new Error(
      'dist/ is stale: run `npm run bundle` (src/, package-lock.json or tsconfig.json changed since dist/ was built)'
    )
  }
}
