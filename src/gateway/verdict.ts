/** What a check of one Nid concluded. */
export type VerifyStatus = 'verified' | 'missing' | 'corrupt' | 'error'

export interface Verdict {
  status: VerifyStatus
  /** What was proven, or what went wrong: for messages, the summary and the report. */
  detail: string
}

export const verdict = (status: VerifyStatus, detail: string): Verdict => ({ status, detail })
