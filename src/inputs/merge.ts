import { Inputs, MergeInputs } from '../constants.js'
import { inputReaders, lines } from './readers.js'
import { parseReportInputs, type ReportInputs, type RunEnvironment } from './report.js'
import { parseRetentionInputs, type RetentionInputs } from './retention.js'
import { captureTokenInput } from './token.js'

/** The merge sub-action's inputs, read once and validated at the edge. */
export interface MergeRunInputs extends ReportInputs, RetentionInputs {
  /** Glob patterns of the shards' manifests. */
  patterns: string[]
  captureToken: string
}

/** Validates every input of merge/action.yml; all problems are reported at once. */
export function parseMergeInputs(read: (name: Inputs | MergeInputs) => string, env: RunEnvironment): MergeRunInputs {
  const readers = inputReaders(read)
  const patterns = lines(read(MergeInputs.Manifests))
  if (patterns.length === 0) {
    readers.fail(
      MergeInputs.Manifests,
      'is empty; give a glob of the shards’ manifests as download-artifact left them, e.g. shards/*/numbers-manifest.json'
    )
  }
  const retention = parseRetentionInputs(readers)
  const inputs = {
    patterns,
    ...parseReportInputs(readers, env),
    ...retention,
    // The merge sends nothing to Numbers unless it unpins.
    captureToken: captureTokenInput(
      readers,
      retention.unpinAbsent === 'true' ? 'unpin-absent: true calls the Numbers Unpin API' : undefined
    )
  }
  readers.done()
  return inputs
}
