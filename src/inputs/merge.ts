import { Inputs, MergeInputs } from '../constants.js'
import { inputReaders, lines } from './readers.js'
import { parseReportInputs, type ReportInputs, type RunEnvironment } from './report.js'

/** The merge sub-action's inputs, read once and validated at the edge. */
export interface MergeRunInputs extends ReportInputs {
  /** Glob patterns of the shards' manifests. */
  patterns: string[]
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
  const inputs = { patterns, ...parseReportInputs(readers, env) }
  readers.done()
  return inputs
}
