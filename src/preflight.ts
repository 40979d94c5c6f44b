import { Inputs } from './constants.js'
import { discoverFiles, type DiscoveredFile, type LocalFile } from './discovery.js'
import { FileError, PreflightError } from './errors.js'
import { uploadsFiles, type RunInputs } from './inputs/pin.js'
import { checkOutputLocations } from './locations.js'
import { readPreviousManifest } from './manifest.js'
import { formatBytesApart } from './report/format.js'
import { hiddenSkipped } from './report/log-lines.js'
import type { CidVersion, Logger, PinnedIndex } from './types.js'

export interface Plan {
  /** Each its own pipeline entry. */
  files: DiscoveredFile[]
  previous?: PinnedIndex
  /** The CID version previous-manifest was written with, when it records one. */
  previousCidVersion?: CidVersion
}

/** Files the service would refuse: over max-file-size, when files are uploaded at all. */
function oversized(files: readonly LocalFile[], inputs: RunInputs): FileError[] {
  // The service is designed for files up to 25 MB; files that stay local have no limit.
  if (!uploadsFiles(inputs)) return []
  return files
    .filter(f => f.size > inputs.maxFileSize)
    .map(file => {
      const [size, max] = formatBytesApart(file.size, inputs.maxFileSize)
      return new FileError(
        file.path,
        `is ${size}, over ${Inputs.MaxFileSize} (${max}); exclude it with a '!' pattern or raise ${Inputs.MaxFileSize} if your plan allows larger files`
      )
    })
}

/** The no-files policy (`if-no-files-found`) for patterns that matched nothing. */
function noFiles(inputs: RunInputs, log: Logger): void {
  const message = `No files were found with the provided path: ${inputs.patterns.join(', ')}.`
  if (inputs.ifNoFilesFound === 'error') {
    throw new Error(`${message} Check the pattern, or set ${Inputs.IfNoFilesFound}: warn or ignore`)
  }
  if (inputs.ifNoFilesFound === 'warn') log.warning(`${message} No artifacts will be pinned.`)
  else log.info(`${message} No artifacts will be pinned.`)
}

/**
 * The pins of previous-manifest. Read with pin: false too, so that the manifest written next still
 * carries the earlier pins.
 */
async function previousPins(inputs: RunInputs, log: Logger): Promise<Omit<Plan, 'files'>> {
  if (!inputs.previousManifest) return {}
  const previous = await readPreviousManifest(inputs.previousManifest, inputs.cidVersion)
  if (previous === undefined) {
    if (inputs.pin)
      log.notice(`No previous manifest at ${inputs.previousManifest} (first run?); every file will be pinned`)
    return {}
  }
  if (previous.dropped > 0) {
    log.warning(
      `${inputs.previousManifest}: ${previous.dropped} pinned ${previous.dropped === 1 ? 'entry was' : 'entries were'} dropped as invalid (a Nid that is not a CID of its version, or a malformed order ID or file URL); their files will be pinned again if this run finds them`
    )
  }
  return { previous: previous.pins, previousCidVersion: previous.cidVersion }
}

/** The runner's files this run writes through, checked in preflight like every other output. */
export interface RunnerFiles {
  runnerTemp?: string
  outputFile?: string
  summaryFile?: string
}

/** Everything that can be refused is refused here, before the first (paid) request. */
export async function preflight(inputs: RunInputs, env: RunnerFiles, log: Logger): Promise<Plan> {
  const discovery =
    inputs.patterns.length > 0
      ? await discoverFiles({
          patterns: inputs.patterns,
          workspace: inputs.workspace,
          includeHiddenFiles: inputs.includeHiddenFiles,
          // Written by this action: a glob over their folder must not pin them on the next run.
          excludeOwnFiles: [inputs.manifestPath, inputs.checksumsPath, inputs.previousManifest].filter(Boolean)
        })
      : { files: [], hidden: [], excluded: [], problems: [] }
  const hidden = hiddenSkipped(discovery.hidden)
  if (hidden.info) log.info(hidden.info)
  for (const line of hidden.debug) log.debug(line)
  if (discovery.excluded.length > 0) {
    log.notice(
      `Excluded from pinning: ${discovery.excluded.join(', ')}: this action's own manifest or checksums file, which the '${Inputs.Path}' patterns match`
    )
  }
  const problems: Error[] = [...discovery.problems, ...oversized(discovery.files, inputs)]
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new PreflightError(problems, `${problems.length} files cannot be used`)
  if (inputs.patterns.length > 0 && discovery.files.length === 0) noFiles(inputs, log)

  await checkOutputLocations({ ...inputs, ...env }, log)
  return { files: discovery.files, ...(await previousPins(inputs, log)) }
}
