import type { EntryResult } from '../types.js'
import { totalsOf } from './totals.js'

/** The step's failure message when entries failed (each with its reason); undefined when none did. */
export function failureMessage(results: readonly EntryResult[]): string | undefined {
  const failures = results.filter(r => r.status === 'failed')
  if (failures.length === 0) return undefined
  return `${failures.length} of ${totalsOf(results).count} entries failed:\n${failures.map(f => `  - ${f.error}`).join('\n')}`
}
