import { Inputs } from '../constants.js'
import type { inputReaders } from './readers.js'

type Readers = Pick<ReturnType<typeof inputReaders<Inputs>>, 'read' | 'fail'>

/**
 * The Capture Token, never echoed. `neededFor` says what sends a request to Numbers (e.g. "pin: true
 * sends files to Numbers"); undefined when nothing does, and the token may then be empty.
 */
export function captureTokenInput({ read, fail }: Readers, neededFor: string | undefined): string {
  const token = read(Inputs.CaptureToken).trim()
  // A tab may stand in a header value; a line break or another control character may not.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(token)) {
    fail(
      Inputs.CaptureToken,
      'contains a line break or another control character, which no HTTP header can carry; check the secret (a stray newline when it was pasted?)'
    )
  }
  if (neededFor !== undefined && token === '') {
    fail(
      Inputs.CaptureToken,
      `is empty, but ${neededFor}. Set capture-token: \${{ secrets.CAPTURE_TOKEN }}; for pull requests from forks (no secrets), use pin: false with nid-source: local`
    )
  }
  return token
}
