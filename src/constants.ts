/** Input names as declared in action.yml: the only place they are spelled out in code. */
export enum Inputs {
  Path = 'path',
  FileUrls = 'file-urls',
  IncludeHiddenFiles = 'include-hidden-files',
  CaptureToken = 'capture-token',
  Pin = 'pin',
  NidSource = 'nid-source',
  CidVersion = 'cid-version',
  IfNoFilesFound = 'if-no-files-found',
  MaxFileSize = 'max-file-size',
  Concurrency = 'concurrency',
  Retries = 'retries',
  Timeout = 'timeout',
  ManifestPath = 'manifest-path',
  ChecksumsPath = 'checksums-path',
  PreviousManifest = 'previous-manifest',
  VerifyPrevious = 'verify-previous',
  ShowSummary = 'show-summary',
  GatewayUrl = 'gateway-url',
  NidApiUrl = 'nid-api-url',
  PinApiUrl = 'pin-api-url',
  PrComment = 'pr-comment',
  ReleaseNotes = 'release-notes',
  GithubToken = 'github-token',
  Shard = 'shard',
  UnpinAbsent = 'unpin-absent',
  UnpinMax = 'unpin-max',
  UnpinApiUrl = 'unpin-api-url',
  MaxMonthlyCost = 'max-monthly-cost'
}

/** The merge sub-action's own inputs (merge/action.yml); its report inputs are named as in `Inputs`. */
export enum MergeInputs {
  Manifests = 'manifests'
}

/** Every input of merge/action.yml, in its order. */
export const MERGE_INPUTS = [
  MergeInputs.Manifests,
  Inputs.ManifestPath,
  Inputs.ChecksumsPath,
  Inputs.ShowSummary,
  Inputs.GatewayUrl,
  Inputs.PrComment,
  Inputs.ReleaseNotes,
  Inputs.GithubToken,
  Inputs.CaptureToken,
  Inputs.UnpinAbsent,
  Inputs.UnpinMax,
  Inputs.UnpinApiUrl,
  Inputs.MaxMonthlyCost
] as const

/** Output names as declared in action.yml. */
export enum Outputs {
  Results = 'results',
  ResultsCount = 'results-count',
  Truncated = 'truncated',
  Nids = 'nids',
  OrderIds = 'order-ids',
  Nid = 'nid',
  OrderId = 'order-id',
  Count = 'count',
  PinnedCount = 'pinned-count',
  FailedCount = 'failed-count',
  Manifest = 'manifest',
  Checksums = 'checksums',
  Unpinned = 'unpinned',
  UnpinnedCount = 'unpinned-count',
  MonthlySaving = 'monthly-saving'
}

/** The verify sub-action's input names, as declared in verify/action.yml. */
export enum VerifyInputs {
  Manifest = 'manifest',
  GatewayUrl = 'gateway-url',
  Depth = 'depth',
  Concurrency = 'concurrency',
  Timeout = 'timeout',
  Retries = 'retries',
  IfMissing = 'if-missing'
}

/** The verify sub-action's output names, as declared in verify/action.yml. */
export enum VerifyOutputs {
  VerifiedCount = 'verified-count',
  MissingCount = 'missing-count',
  CorruptCount = 'corrupt-count',
  ErrorCount = 'error-count',
  Results = 'results',
  Report = 'report'
}

export const DEFAULT_GATEWAY_URL = 'https://ipfs-pin.numbersprotocol.io/ipfs/'
export const DEFAULT_NID_API_URL = 'https://eoaw7tnt9xlliga.m.pipedream.net'
export const DEFAULT_PIN_API_URL = 'https://eoqctv92ahgrcif.m.pipedream.net'
/**
 * Unpin's URL as its documentation's header gives it; the same page's examples post to
 * https://eoomqofcyr7y0fl.m.pipedream.net, and which is current is unknown (docs/numbers-api.md).
 */
export const DEFAULT_UNPIN_API_URL = 'https://eo3wcvdjj73vq4x.m.pipedream.net'

/** At most this many Nids unpinned in one run unless `unpin-max` says otherwise. */
export const DEFAULT_UNPIN_MAX = 100

/** The pin endpoint is designed for files up to 25 MB (docs/numbers-api.md). */
export const DEFAULT_MAX_FILE_SIZE = '25MiB'

/** Monthly price of one pin in NUM: 0.025 storage + about 0.004 gas (docs/numbers-api.md). */
export const PIN_MONTHLY_COST_NUM = 0.029

/** One call to Get Nid from File or Unpin, in NUM: documented as 0.01 and as free, so counted as paid. */
export const API_CALL_COST_NUM = 0.01

/** Kubo's defaults that define a Nid: fixed 256 KiB chunks, at most 174 links per DAG node. */
export const CHUNK_SIZE = 262144
export const MAX_LINKS_PER_NODE = 174

/**
 * Long text (the folded log list, the manifest, the checksums file, the results spool) is written
 * in pieces of about this many characters: under V8's large-object size (128 KiB) even as UTF-16, so
 * a piece dies young with the rest of the garbage. Larger pieces were large objects, which V8 keeps
 * until their total reaches the young generation's size: 100,000 entries peaked 15 MB higher.
 */
export const TEXT_PIECE = 32 * 1024

/** This action's version, recorded in manifests and the User-Agent; a test keeps it equal to package.json. */
export const ACTION_VERSION = '1.0.0'
