/**
 * What GitHub (and actions/attest) accept from one step, with our margins. Past these GitHub drops
 * silently, so every report is built to fit and says where the rest is (the manifest, the log).
 */
export const LIMITS = {
  /**
   * All outputs of a step together: GitHub allows 1 MB, counting names and values as UTF-16 (two
   * bytes a code unit, i.e. JavaScript's `length` × 2). 900,000 leaves room for the runner's own.
   */
  outputsUtf16Bytes: 900_000,
  /** A step's job summary: over 1 MiB (1,048,576 bytes of UTF-8) it is dropped whole. */
  summaryBytes: 1_000_000,
  /** Annotations of each kind (error, warning, notice) a step may show; GitHub drops the rest. */
  annotationsPerKind: 10,
  /** A PR comment body: GitHub refuses more than 65,536 characters. */
  commentChars: 60_000,
  /** A release body: GitHub refuses more than 125,000 characters. */
  releaseBodyChars: 120_000,
  /** actions/attest's `subject-checksums`: at most 1,024 subjects, and a file of at most 512 KiB. */
  attestSubjects: 1024,
  attestChecksumsBytes: 512 * 1024
} as const

/** How much of each server- or user-given string a summary row or message shows. */
export const SHOWN = {
  path: 300,
  orderId: 64,
  nid: 128,
  error: 400,
  /** Failures listed by reason in the summary, and in the step's failure message. */
  summaryFailures: 100,
  messageFailures: 20
} as const
