import { writeManifest, type Manifest } from '../../src/manifest.js'
import { DigestTally, type ResultsDigest } from '../../src/report/digest.js'
import { buildOutputs, OutputTally, type OutputContext } from '../../src/report/outputs.js'
import type { EntryResult } from '../../src/types.js'

/** The digest of results given in entry order, as writeResults gathers it. */
export function digestOf(results: readonly EntryResult[]): ResultsDigest {
  const tally = new DigestTally()
  for (const result of results) tally.add(result)
  return tally.digest()
}

/** The step outputs of results given in entry order, as writeResults builds them. */
export function outputsOf(results: readonly EntryResult[], files: OutputContext, budget?: number) {
  const lists = new OutputTally(budget)
  for (const result of results) lists.add(result, JSON.stringify(result))
  return buildOutputs(lists, digestOf(results), files, budget)
}

/** Writes a manifest held whole in memory, as the action streams one: header, result lines, earlier pins. */
export function writeWhole(file: string, { results, earlierPins, ...header }: Manifest): Promise<void> {
  return writeManifest(
    file,
    header,
    results.map(r => JSON.stringify(r)),
    earlierPins
  )
}
