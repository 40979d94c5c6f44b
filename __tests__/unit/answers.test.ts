import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { ApiError, PinAnswerError } from '../../src/errors.js'
import { excerpt, parseNidAnswer, parsePinAnswer, type Answer } from '../../src/numbers/answers.js'
import { Endpoint } from '../../src/types.js'

const V1 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const V0 = 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH'
const NID = { cid: V1, fileSize: 0, cid_version: 1 }
const PIN = { ...NID, fileURL: `https://ipfs-pin.numbersprotocol.io/ipfs/${V1}`, orderID: 'ord_7f3a9c21' }

function ok(body: unknown, extra: Partial<Answer> = {}): Answer {
  return { status: 200, contentType: 'application/json', text: JSON.stringify(body), cut: false, ...extra }
}

function status(code: number, text: string, contentType = 'application/json'): Answer {
  return { status: code, contentType, text, cut: false }
}

/** What `parse` throws, which must be an ApiError. */
function thrown(parse: () => unknown): ApiError {
  try {
    parse()
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected an ApiError')
}

describe('parseNidAnswer', () => {
  test('a valid answer, CIDv1 or CIDv0', () => {
    expect(parseNidAnswer(Endpoint.GetNid, ok({ cid: V1, fileSize: 1234, cid_version: 1 }))).toEqual({
      cid: V1,
      fileSize: 1234,
      cidVersion: 1
    })
    expect(parseNidAnswer(Endpoint.GetNid, ok({ cid: V0, fileSize: 0, cid_version: 0, extra: 'ignored' }))).toEqual({
      cid: V0,
      fileSize: 0,
      cidVersion: 0
    })
  })

  const invalid: [string, Record<string, unknown>][] = [
    ['cid', { cid: undefined }],
    ['cid', { cid: 42 }],
    ['cid', { cid: 'not-a-cid' }],
    ['cid', { cid: CID.parse(V1).toString(base58btc) }],
    ['cid', { cid: V1.toUpperCase() }],
    ['cid', { cid: `b${'a'.repeat(200)}` }],
    ['fileSize', { fileSize: undefined }],
    ['fileSize', { fileSize: '1234' }],
    ['fileSize', { fileSize: -1 }],
    ['fileSize', { fileSize: 1.5 }],
    ['fileSize', { fileSize: 2 ** 53 }],
    ['cid_version', { cid_version: undefined }],
    ['cid_version', { cid_version: 2 }],
    ['cid_version', { cid_version: '1' }],
    ['cid, fileSize, cid_version', { cid: null, fileSize: null, cid_version: null }]
  ]
  test.each(invalid)('an invalid %s is named: %j', (names, fields) => {
    const error = thrown(() => parseNidAnswer(Endpoint.GetNid, ok({ ...NID, ...fields })))
    expect(error).not.toBeInstanceOf(PinAnswerError)
    expect(error.status).toBe(200)
    expect(error.message).toMatch(new RegExp(`^Get Nid from File answered HTTP 200 without a valid ${names} \\(got `))
  })

  test('the invalid answer is quoted as a short, single-line excerpt', () => {
    const error = thrown(() => parseNidAnswer(Endpoint.GetNid, ok({ ...NID, cid: `x\n::error::${'y'.repeat(500)}` })))
    expect(error.message).not.toContain('\n')
    expect(error.message.length).toBeLessThan(300)
    expect(error.message).toMatch(/…\)$/)
  })

  test('a body that is not JSON, or JSON that is not an object', () => {
    expect(thrown(() => parseNidAnswer(Endpoint.GetNid, status(200, '<html>oops</html>', 'text/html'))).message).toBe(
      'Get Nid from File answered HTTP 200 with text/html that is not JSON: "<html>oops</html>"'
    )
    expect(thrown(() => parseNidAnswer(Endpoint.GetNid, status(200, '', ''))).message).toBe(
      'Get Nid from File answered HTTP 200 with no content type that is not JSON: "(empty body)"'
    )
    for (const text of ['[]', '"cid"', 'null', '5', 'true']) {
      expect(thrown(() => parseNidAnswer(Endpoint.GetNid, status(200, text))).message).toBe(
        `Get Nid from File answered HTTP 200 with JSON that is not an object: "${text}"`
      )
    }
  })

  test('an answer cut because it is too long says so', () => {
    const text = `{"cid": "${'a'.repeat(5000)}`
    const error = thrown(() => parseNidAnswer(Endpoint.GetNid, { ...ok({}), text, cut: true }))
    expect(error.message).toMatch(
      /^Get Nid from File answered HTTP 200 with an answer over 5009 bytes, more than is read: "/
    )
  })
})

describe('parsePinAnswer', () => {
  test('a valid answer', () => {
    expect(parsePinAnswer(ok({ ...PIN, fileSize: 99 }))).toEqual({
      cid: V1,
      fileSize: 99,
      cidVersion: 1,
      fileUrl: PIN.fileURL,
      orderId: 'ord_7f3a9c21'
    })
  })

  test.each([
    ['missing', undefined],
    ['not a string', 7],
    ['not http(s)', `ftp://example.com/${V1}`],
    ['a script', 'javascript:alert(1)'],
    ['with a space', 'https://example.com/a b'],
    ['with a line break', 'https://example.com/a\nb'],
    ['over 2048 characters', `https://example.com/${'a'.repeat(2048)}`]
  ])('a fileURL %s is invalid, and the order ID is kept', (_, fileURL) => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, fileURL })))
    expect(error).toBeInstanceOf(PinAnswerError)
    expect((error as PinAnswerError).orderId).toBe(PIN.orderID)
    expect(error.message).toMatch(/^Pin file to IPFS answered HTTP 200 without a valid fileURL \(got /)
    expect(error.message).toContain('the pin was ordered all the same (order ord_7f3a9c21)')
  })

  test.each([
    ['cid', { cid: 'Qm-not-a-cid' }],
    ['fileSize', { fileSize: -5 }],
    ['cid_version', { cid_version: 3 }]
  ])('an invalid %s keeps the order ID', (name, fields) => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, ...fields })))
    expect(error).toBeInstanceOf(PinAnswerError)
    expect((error as PinAnswerError).orderId).toBe(PIN.orderID)
    expect(error.message).toContain(`without a valid ${name} (got `)
  })

  test('an order ID with control characters is kept, escaped, and named as not printable', () => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, orderID: 'ord\n::error::x\u202e' })))
    expect(error).toBeInstanceOf(PinAnswerError)
    expect((error as PinAnswerError).orderId).toBe('ord\\n::error::x\\u202e')
    expect(error.message).toContain('without a valid orderID (not a printable order ID)')
    expect(error.message).not.toContain('\n')
  })

  test('an order ID that is a number is kept as text, and the answer named invalid', () => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, orderID: 12345 })))
    expect(error).toBeInstanceOf(PinAnswerError)
    expect((error as PinAnswerError).orderId).toBe('12345')
    expect(error.message).toContain('without a valid orderID')
  })

  test('an order ID over 128 characters is kept, cut', () => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, orderID: 'o'.repeat(300) })))
    expect((error as PinAnswerError).orderId).toBe(`${'o'.repeat(128)}…`)
  })

  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['an object', { id: 1 }]
  ])('an order ID %s, with every other field fine, is an ApiError (nothing to keep)', (_, orderID) => {
    const error = thrown(() => parsePinAnswer(ok({ ...PIN, orderID })))
    expect(error).not.toBeInstanceOf(PinAnswerError)
    expect(error.message).toMatch(/^Pin file to IPFS answered HTTP 200 without a valid orderID \(got /)
  })

  test('an answer cut at 1 MiB that names its order ID keeps it', () => {
    const text = `{"orderID": "ord_cut\\u0007", "fileURL": "https://x/${'a'.repeat(2 ** 20)}`
    const error = thrown(() => parsePinAnswer({ status: 200, contentType: 'application/json', text, cut: true }))
    expect(error).toBeInstanceOf(PinAnswerError)
    expect((error as PinAnswerError).orderId).toBe('ord_cut\\u0007')
    expect(error.message).toMatch(
      /^Pin file to IPFS answered HTTP 200 with an answer over \d+ bytes, more than is read/
    )
  })

  test('an order ID is found in a 200 body that is not JSON as a whole, only as a real key', () => {
    const inString = `{"note": "\\"orderID\\": \\"fake\\"", "x": `
    expect(thrown(() => parsePinAnswer(status(200, inString)))).not.toBeInstanceOf(PinAnswerError)
    expect(thrown(() => parsePinAnswer(status(200, `garbage {"orderID":"ord_1"} garbage`)))).toBeInstanceOf(
      PinAnswerError
    )
    expect(thrown(() => parsePinAnswer(status(200, `{"orderID": "`, 'text/plain')))).not.toBeInstanceOf(PinAnswerError)
  })

  test('an error status never yields a PinAnswerError, even with an order ID in the body', () => {
    const error = thrown(() => parsePinAnswer(status(500, JSON.stringify({ orderID: 'ord_9', detail: 'boom' }))))
    expect(error).not.toBeInstanceOf(PinAnswerError)
    expect(error.status).toBe(500)
  })
})

describe('error statuses', () => {
  const pin = (answer: Answer): ApiError => thrown(() => parsePinAnswer(answer))

  test('400 insufficient funds, from detail, message or the plain body', () => {
    expect(pin(status(400, JSON.stringify({ detail: 'Insufficient NUM balance' }))).message).toBe(
      "Pin file to IPFS: insufficient funds (HTTP 400: Insufficient NUM balance); the Capture account's wallet needs NUM before files can be pinned"
    )
    expect(pin(status(400, JSON.stringify({ message: 'insufficient funds' }))).message).toMatch(
      /^Pin file to IPFS: insufficient funds \(HTTP 400: insufficient funds\)/
    )
    expect(pin(status(400, 'INSUFFICIENT balance', 'text/plain')).message).toBe(
      'Pin file to IPFS: insufficient funds (HTTP 400 (text/plain): "INSUFFICIENT balance"); the Capture account\'s wallet needs NUM before files can be pinned'
    )
  })

  test('another 400', () => {
    const error = pin(status(400, JSON.stringify({ error: { field: 'file', why: 'missing' } })))
    expect(error.message).toBe('Pin file to IPFS refused the request (HTTP 400: {"field":"file","why":"missing"})')
    expect(error.status).toBe(400)
  })

  test('401 names the token input', () => {
    const error = pin(status(401, JSON.stringify({ detail: 'Invalid token.' })))
    expect(error.message).toBe(
      'Pin file to IPFS rejected the Capture Token (HTTP 401: Invalid token.); check the capture-token input and the secret it reads (e.g. CAPTURE_TOKEN)'
    )
    expect(error.status).toBe(401)
  })

  test('403 says the account may not use the API', () => {
    expect(thrown(() => parseNidAnswer(Endpoint.GetNid, status(403, ''))).message).toBe(
      'Get Nid from File refused the request (HTTP 403 forbidden with an empty body); check that the Capture account behind capture-token may use this API'
    )
  })

  test('404 names the URL inputs', () => {
    expect(pin(status(404, '<h1>Not Found</h1>', 'text/html')).message).toBe(
      'Pin file to IPFS was not found (HTTP 404 (text/html): "<h1>Not Found</h1>"); check pin-api-url'
    )
  })

  test('500 and other statuses quote what was said', () => {
    expect(pin(status(500, JSON.stringify({ detail: 'Internal\nServer\tError' }))).message).toBe(
      'Pin file to IPFS answered HTTP 500: Internal Server Error'
    )
    expect(pin(status(502, '<html>\n<body>Bad gateway</body>\n</html>', 'text/html')).message).toBe(
      'Pin file to IPFS answered HTTP 502 (text/html): "<html> <body>Bad gateway</body> </html>"'
    )
    expect(pin(status(503, 'null', '')).message).toBe('Pin file to IPFS answered HTTP 503 (no content type): "null"')
    expect(pin(status(500, '')).status).toBe(500)
  })

  test('a huge error detail is cut', () => {
    const error = pin(status(500, JSON.stringify({ detail: 'x'.repeat(10_000) })))
    expect(error.message).toBe(`Pin file to IPFS answered HTTP 500: ${'x'.repeat(300)}…`)
  })
})

describe('excerpt', () => {
  test('one printable line: controls, non-ASCII and runs of whitespace become one space, trimmed', () => {
    expect(excerpt('  a\n\n b\t\tc\u0000d\u202ee  ')).toBe('a b c d e')
    expect(excerpt('café 🚀 ok')).toBe('caf ok')
    expect(excerpt('')).toBe('')
    expect(excerpt('\n\t \u0007')).toBe('')
  })

  test('cut to max characters, with …', () => {
    expect(excerpt('x'.repeat(161))).toBe(`${'x'.repeat(160)}…`)
    expect(excerpt('x'.repeat(160))).toBe('x'.repeat(160))
    expect(excerpt('abcdef', 3)).toBe('abc…')
  })
})
