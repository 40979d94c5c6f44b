/**
 * Typed errors. Each message says what went wrong and what the user can change; the entry point
 * prints it as one `::error::` line without a stack trace.
 */

/** An input's value is unusable. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input '${input}': ${message}`)
    this.name = 'InputError'
  }
}

/** A local file cannot be used (too large, unreadable, changed, outside the workspace, ...). */
export class FileError extends Error {
  constructor(
    readonly file: string,
    message: string
  ) {
    super(`${file}: ${message}`)
    this.name = 'FileError'
  }
}

/** The one message for a file whose size is no longer the size discovery saw. */
export function changedSize(file: string, from: number, to: number): FileError {
  return new FileError(
    file,
    `changed size from ${from} to ${to} bytes after it was found; make sure nothing writes to it during this step`
  )
}

/** Several problems found before any request; reported together so one run shows them all. */
export class PreflightError extends Error {
  constructor(
    readonly problems: readonly Error[],
    summary: string
  ) {
    super(`${summary}:\n${problems.map(p => `  - ${p.message}`).join('\n')}`)
    this.name = 'PreflightError'
  }
}

/** The Numbers API answered with an error status or a body that is not the contract's JSON. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/**
 * A pin answer that carries an order ID but is otherwise unusable (a field missing or malformed, a
 * body too large): the order exists and may be billed, so its ID is kept on the entry.
 */
export class PinAnswerError extends ApiError {
  constructor(
    message: string,
    readonly orderId: string
  ) {
    super(
      `${message}; the pin was ordered all the same (order ${orderId}) and may be billed: check your Capture account's orders`,
      200
    )
    this.name = 'PinAnswerError'
  }
}

/** The service's CID differs from the locally computed Nid: the bytes it got are not the file's. */
export class CidMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what: string
  ) {
    super(`${what} returned CID ${actual}, but the local Nid is ${expected}; the uploaded bytes differ from the file`)
    this.name = 'CidMismatchError'
  }
}

/** The run was cancelled before a request was sent: nothing happened, nothing is billed. */
export class CancelledError extends Error {
  constructor(what: string) {
    super(`${what} was not sent: the run was cancelled`)
    this.name = 'CancelledError'
  }
}

/** Turns any thrown value, Error or not, into one message. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
