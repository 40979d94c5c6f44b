/**
 * The Numbers endpoints' answers, read as hostile input: every field the action uses is checked by
 * type, shape and length before it is used anywhere, and an order ID is kept whatever else is wrong.
 */
import { isCidOfVersion } from '../cid.js'
import { ApiError, PinAnswerError } from '../errors.js'
import { printable } from '../safe-text.js'
import { ENDPOINT_INPUT, ENDPOINT_NAME, Endpoint } from '../types.js'

export interface NidAnswer {
  cid: string
  fileSize: number
  cidVersion: number
}

export interface PinAnswer extends NidAnswer {
  fileUrl: string
  orderId: string
}

/** What an attempt brought back: the status and as much of the body as was read. */
export interface Answer {
  status: number
  contentType: string
  text: string
  /** The body was longer than what was read. */
  cut: boolean
}

/** The longest order ID and file URL accepted. */
const MAX_ORDER_ID = 128
const MAX_URL = 2048

/** A short, single-line, printable excerpt of a body that is not what the contract promises. */
export function excerpt(body: string, max = 160): string {
  const flat = body
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** A CID of the expected shape, or undefined. */
function validCid(value: unknown): string | undefined {
  return typeof value === 'string' && isCidOfVersion(value) ? value : undefined
}

/** An order ID as it may be shown and stored: printable, bounded (escaped and cut when it is not). */
function orderIdOf(value: unknown): string | undefined {
  // A number is an order ID all the same (the contract says string): kept, and the answer named invalid.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string' || value === '') return undefined
  return printable(value, MAX_ORDER_ID)
}

/** The body of a 200 as a JSON object; any other status is an ApiError that says what to change. */
function jsonOf(endpoint: Endpoint, { status, contentType, text, cut }: Answer): Record<string, unknown> {
  const name = ENDPOINT_NAME[endpoint]
  if (status !== 200) throw statusError(endpoint, status, contentType || 'no content type', text)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    const what = cut
      ? `an answer over ${text.length} bytes, more than is read`
      : `${contentType || 'no content type'} that is not JSON`
    throw new ApiError(`${name} answered HTTP 200 with ${what}: "${excerpt(text) || '(empty body)'}"`, 200)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ApiError(`${name} answered HTTP 200 with JSON that is not an object: "${excerpt(text)}"`, 200)
  }
  return json as Record<string, unknown>
}

/** The fields every answer shares, checked; the names of those that are not valid. */
function nidFields(json: Record<string, unknown>): { answer: NidAnswer; invalid: string[] } {
  const { cid, fileSize, cid_version: cidVersion } = json
  const invalid: string[] = []
  const valid = validCid(cid)
  if (valid === undefined) invalid.push('cid')
  if (typeof fileSize !== 'number' || !Number.isSafeInteger(fileSize) || fileSize < 0) invalid.push('fileSize')
  if (cidVersion !== 0 && cidVersion !== 1) invalid.push('cid_version')
  return { answer: { cid: valid ?? '', fileSize: fileSize as number, cidVersion: cidVersion as number }, invalid }
}

function invalidAnswer(endpoint: Endpoint, invalid: string[], json: unknown): string {
  return `${ENDPOINT_NAME[endpoint]} answered HTTP 200 without a valid ${invalid.join(', ')} (got ${excerpt(JSON.stringify(json))})`
}

export function parseNidAnswer(endpoint: Endpoint, raw: Answer): NidAnswer {
  const json = jsonOf(endpoint, raw)
  const { answer, invalid } = nidFields(json)
  if (invalid.length > 0) throw new ApiError(invalidAnswer(endpoint, invalid, json), 200)
  return answer
}

/** The order ID in a 200 body that is not JSON as a whole (cut because too large, say), if it names one. */
function orderIdInText(text: string): string | undefined {
  const found = /"orderID"\s*:\s*("(?:[^"\\]|\\.){1,512}")/.exec(text)
  if (!found) return undefined
  try {
    return orderIdOf(JSON.parse(found[1]))
  } catch {
    return undefined
  }
}

/** A pin's answer. Whenever it carries an order ID, that ID survives any other fault (PinAnswerError). */
export function parsePinAnswer(raw: Answer): PinAnswer {
  const endpoint = Endpoint.Pin
  let json: Record<string, unknown>
  try {
    json = jsonOf(endpoint, raw)
  } catch (error) {
    const orderId = raw.status === 200 ? orderIdInText(raw.text) : undefined
    if (orderId !== undefined && error instanceof ApiError) throw new PinAnswerError(error.message, orderId)
    throw error
  }
  const { answer, invalid } = nidFields(json)
  const { fileURL, orderID } = json
  const orderId = orderIdOf(orderID)
  if (orderId === undefined) invalid.push('orderID')
  else if (typeof orderID !== 'string') invalid.push('orderID (not a string)')
  else if (orderId !== orderID) invalid.push('orderID (not a printable order ID)')
  if (typeof fileURL !== 'string' || fileURL.length > MAX_URL || !/^https?:\/\/[\x21-\x7e]+$/.test(fileURL)) {
    invalid.push('fileURL')
  }
  if (invalid.length > 0) {
    const message = invalidAnswer(endpoint, invalid, json)
    throw orderId !== undefined ? new PinAnswerError(message, orderId) : new ApiError(message, 200)
  }
  return { ...answer, fileUrl: fileURL as string, orderId: orderId as string }
}

/** Unpin's answer: a 200 `{"result": true}`, and nothing else, is an unpin done. */
export function parseUnpinAnswer(raw: Answer): void {
  const json = jsonOf(Endpoint.Unpin, raw)
  if (json.result !== true) {
    throw new ApiError(
      `${ENDPOINT_NAME[Endpoint.Unpin]} answered HTTP 200 without "result": true (got ${excerpt(JSON.stringify(json))})`,
      200
    )
  }
}

function statusError(endpoint: Endpoint, status: number, contentType: string, text: string): ApiError {
  const name = ENDPOINT_NAME[endpoint]
  let detail = ''
  try {
    const json = JSON.parse(text) as Record<string, unknown>
    const value = json.detail ?? json.message ?? json.error
    if (value !== undefined) detail = typeof value === 'string' ? value : JSON.stringify(value)
  } catch {
    // Not JSON (an HTML page from a proxy, say): fall back to an excerpt below.
  }
  const said = detail
    ? `: ${excerpt(detail, 300)}`
    : text
      ? ` (${contentType}): "${excerpt(text)}"`
      : ' with an empty body'
  switch (status) {
    case 401:
      return new ApiError(
        `${name} rejected the Capture Token (HTTP 401${said}); check the capture-token input and the secret it reads (e.g. CAPTURE_TOKEN)`,
        status
      )
    case 403:
      return new ApiError(
        `${name} refused the request (HTTP 403 forbidden${said}); check that the Capture account behind capture-token may use this API`,
        status
      )
    case 404:
      return new ApiError(`${name} was not found (HTTP 404${said}); check ${ENDPOINT_INPUT[endpoint]}`, status)
    case 400:
      if (/insufficient/i.test(detail || text)) {
        return new ApiError(
          `${name}: insufficient funds (HTTP 400${said}); the Capture account's wallet needs NUM before files can be pinned`,
          status
        )
      }
      return new ApiError(`${name} refused the request (HTTP 400${said})`, status)
    default:
      return new ApiError(`${name} answered HTTP ${status}${said}`, status)
  }
}
