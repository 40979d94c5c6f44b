import type * as core from '@actions/core'
import type { Cost } from '../budget.js'
import { ACTION_VERSION, Outputs } from '../constants.js'
import { carryForward, writeManifest, type Manifest, type Provenance } from '../manifest.js'
import { DigestTally, type ResultsDigest } from './digest.js'
import type { RetentionReport } from '../retention.js'
import { resultsOf } from '../result-spool.js'
import type { CidVersion, PinnedIndex, ResultSet } from '../types.js'
import { attestLimitWarning, writeChecksums } from './checksums.js'
import { buildOutputs, OutputTally } from './outputs.js'
import { budgetLine, retentionSection } from './retention.js'
import { summaryMarkdown } from './summary.js'

/** Where a run's results go: the step's outputs, its warnings and, when shown, its job summary. */
export interface ReportSink {
  setOutput(name: string, value: string): void
  warning(message: string): void
  notice(message: string): void
  /** Absent when no summary is written (show-summary: false, or no summary file outside a runner). */
  summary?: typeof core.summary
}

export interface RunRecord {
  pin: boolean
  manifestPath: string
  checksumsPath: string
  cidVersion: CidVersion
  startedAt: string
  provenance: Provenance
  previous?: PinnedIndex
  /** The manifest's shard fields, for a sharded run or a merge. */
  sharding?: Pick<Manifest, 'shard' | 'fingerprint' | 'shards'>
  /** What `unpin-absent` unpinned (they leave the ledger) or plans to. */
  retention?: RetentionReport
  /** What the run spent, shown against `max-monthly-cost` when one is set. */
  cost?: Cost
  maxMonthlyCost?: number
}

/**
 * Writes the manifest (every entry), the checksums file, the outputs and the summary of `results`;
 * the last two within GitHub's limits. Returns what the closing lines and GitHub publishing show.
 */
export async function writeResults(
  results: ResultSet,
  complete: boolean,
  record: RunRecord,
  sink: ReportSink
): Promise<ResultsDigest> {
  await writeManifest(
    record.manifestPath,
    {
      schema: 'numbers-pin-action/manifest@1',
      actionVersion: ACTION_VERSION,
      cidVersion: record.cidVersion,
      startedAt: record.startedAt,
      finishedAt: new Date().toISOString(),
      complete,
      provenance: record.provenance,
      ...record.sharding,
      unpinned: record.retention?.unpinned
    },
    results.lines(),
    carryForward(
      record.previous,
      resultsOf(results),
      record.cidVersion,
      new Set(record.retention?.unpinned.map(u => u.nid))
    )
  )
  // One walk gathers what the checksums file, the outputs and the summary need; it holds no more
  // of the entries than those can show.
  const digest = new DigestTally()
  const lists = new OutputTally()
  const checksums = await writeChecksums(
    record.checksumsPath,
    (function* () {
      for (const { result, json } of results) {
        digest.add(result)
        lists.add(result, json)
        yield result
      }
    })()
  )
  const tooMany = attestLimitWarning(checksums.count, checksums.bytes, record.manifestPath)
  if (tooMany) sink.warning(tooMany)
  const shown = digest.digest()
  const outputs = buildOutputs(lists, shown, {
    manifest: record.manifestPath,
    checksums: record.checksumsPath,
    unpinned: record.retention?.listed.map(p => p.nid),
    monthlySaving: record.retention?.monthlySaving
  })
  for (const [name, value] of Object.entries(outputs)) sink.setOutput(name, value)
  if (outputs[Outputs.Truncated] === 'true') {
    sink.notice(
      `The results output holds ${outputs[Outputs.ResultsCount]} of ${shown.totals.count} entries (failures first), and nids/order-ids may be cut too, to stay within GitHub's 1 MB of outputs; every entry is in the manifest, ${record.manifestPath}`
    )
  }
  if (sink.summary) {
    const { cost, maxMonthlyCost } = record
    const markdown = summaryMarkdown(shown, {
      pin: record.pin,
      manifestPath: record.manifestPath,
      costLine: cost && maxMonthlyCost !== undefined ? budgetLine(cost, maxMonthlyCost) : undefined,
      retention: retentionSection(record.retention)
    })
    await sink.summary.addRaw(markdown).write()
  }
  return shown
}
