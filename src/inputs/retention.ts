import { DEFAULT_UNPIN_API_URL, DEFAULT_UNPIN_MAX, Inputs } from '../constants.js'
import type { ShardPosition } from '../shard.js'
import type { UnpinMode } from '../types.js'
import type { inputReaders } from './readers.js'

/** What a run may unpin and spend: shared by the pin action and the merge sub-action. */
export interface RetentionInputs {
  unpinAbsent: UnpinMode
  unpinMax: number
  unpinApiUrl: string
  /** NUM; undefined: no limit. */
  maxMonthlyCost?: number
}

type Readers = Pick<ReturnType<typeof inputReaders<Inputs>>, 'read' | 'fail' | 'choice' | 'integer' | 'endpoint'>

/** Far more than a nightly set loses; an output of this many Nids still fits GitHub's limit. */
const UNPIN_MAX_LIMIT = 10_000

/** `max-monthly-cost`: a decimal number of NUM, or undefined when empty. */
function budget({ read, fail }: Readers): number | undefined {
  const raw = read(Inputs.MaxMonthlyCost).trim()
  if (raw === '') return undefined
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(raw)) {
    fail(
      Inputs.MaxMonthlyCost,
      `'${raw}' is not a number of NUM; use a decimal such as 1.5, or leave it empty for no limit`
    )
    return undefined
  }
  return Number(raw)
}

/**
 * `unpin-absent`, `unpin-max`, `unpin-api-url` and `max-monthly-cost`. A shard sees only its slice of
 * the set, so every earlier pin outside it would look absent: a sharded run may not unpin, or plan to.
 */
export function parseRetentionInputs(readers: Readers, shard?: ShardPosition): RetentionInputs {
  const unpinAbsent = readers.choice<UnpinMode>(Inputs.UnpinAbsent, ['false', 'plan', 'true'], 'false')
  if (shard && unpinAbsent !== 'false') {
    readers.fail(
      Inputs.UnpinAbsent,
      `is '${unpinAbsent}', but this run is shard ${shard.index}/${shard.total}: a shard sees only its slice of the set, and every earlier pin outside it would look absent. Leave unpin-absent unset on the shard jobs and set it on the merge step (numbers-pin-action/merge), which sees every shard`
    )
  }
  return {
    unpinAbsent,
    unpinMax: readers.integer(Inputs.UnpinMax, { min: 1, max: UNPIN_MAX_LIMIT, fallback: DEFAULT_UNPIN_MAX }),
    unpinApiUrl: readers.endpoint(Inputs.UnpinApiUrl, DEFAULT_UNPIN_API_URL),
    maxMonthlyCost: budget(readers)
  }
}
