/** Types of scripts/summary-samples.mjs, for the tests. */
import type { EntryResult } from '../src/types.js'

export function sampleRuns(): Record<'pins' | 'nid-only' | 'many', { results: EntryResult[]; pin: boolean }>
