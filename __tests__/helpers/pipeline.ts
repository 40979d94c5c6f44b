import { runPipeline } from '../../src/pipeline/run.js'
import type { Entry, PipelineOptions } from '../../src/pipeline/types.js'
import type { EntryResult } from '../../src/types.js'

/** Pipeline options as the tests give them: the results are gathered (and recalled) here, as the action does. */
export type TestPipelineOptions = Omit<PipelineOptions, 'onSettled' | 'recall'> &
  Partial<Pick<PipelineOptions, 'onSettled'>>

/** The results runPipeline settles, in entry order, gathered through `onSettled` as the action does. */
export async function pipelineResults(entries: readonly Entry[], options: TestPipelineOptions): Promise<EntryResult[]> {
  const results: EntryResult[] = []
  await runPipeline(entries, {
    ...options,
    onSettled: (index, result) => {
      results[index] = result
      options.onSettled?.(index, result)
    },
    recall: index => results[index]
  })
  return results.filter(result => result !== undefined)
}
