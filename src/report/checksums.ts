import type { EntryResult } from '../types.js'

/** `sha256sum` format (two spaces), the input actions/attest's `subject-checksums` takes. */
export function checksumsFile(results: readonly EntryResult[]): string {
  return results
    .filter(r => r.source === 'file' && r.sha256 && r.path)
    .map(r => `${r.sha256}  ${r.path}\n`)
    .join('')
}
