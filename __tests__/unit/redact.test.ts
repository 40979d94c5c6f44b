import { FRAGMENT, Redactor, displayUrl } from '../../src/redact.js'

const TOKEN = 'tok_4f9a2c7e1b8d6035'

/** Every run of FRAGMENT characters of `secret`: none may survive redaction. */
function fragments(secret: string): string[] {
  return Array.from({ length: secret.length - FRAGMENT + 1 }, (_, i) => secret.slice(i, i + FRAGMENT))
}

function expectNoFragment(text: string, secret: string): void {
  for (const piece of fragments(secret)) expect(text).not.toContain(piece)
}

describe('Redactor.text', () => {
  test('an exact secret is replaced wherever it stands, every time', () => {
    const redactor = new Redactor([TOKEN])
    expect(redactor.text(`token ${TOKEN} and again ${TOKEN}.`)).toBe('token *** and again ***.')
    expect(redactor.text(TOKEN)).toBe('***')
  })

  test('text without a secret is returned as it is', () => {
    const redactor = new Redactor([TOKEN])
    expect(redactor.text('Pinned 3 files to IPFS')).toBe('Pinned 3 files to IPFS')
    expect(redactor.text('')).toBe('')
    expect(new Redactor().text(`nothing to hide ${TOKEN}`)).toBe(`nothing to hide ${TOKEN}`)
  })

  test('a secret that contains another is replaced whole, whatever the order they were added in', () => {
    const inner = 'abcdef-123456'
    const outer = `prefix-${inner}-suffix`
    for (const redactor of [new Redactor([inner, outer]), new Redactor([outer, inner])]) {
      expect(redactor.text(`a ${outer} b ${inner} c`)).toBe('a *** b *** c')
    }
  })

  test('a fragment of FRAGMENT characters or more is removed anywhere: at the start, the middle, the end', () => {
    const redactor = new Redactor([TOKEN])
    expect(redactor.text(`head ${TOKEN.slice(0, FRAGMENT)} tail`)).toBe('head *** tail')
    expect(redactor.text(`x${TOKEN.slice(5, 19)}y`)).toBe('x***y')
    expect(redactor.text(`${TOKEN.slice(-FRAGMENT - 1)}`)).toBe('***')
    for (const piece of fragments(TOKEN)) expect(redactor.text(`<${piece}>`)).toBe('<***>')
  })

  test('overlapping and adjacent fragments are masked as one run', () => {
    const redactor = new Redactor([TOKEN])
    expect(redactor.text(`${TOKEN.slice(0, 14)}${TOKEN.slice(4, 18)}`)).toBe('***')
  })

  test('a cut secret (an excerpt that ends with …) loses its piece all the same', () => {
    const redactor = new Redactor([TOKEN])
    expect(redactor.text(`Authorization: token ${TOKEN.slice(0, 12)}…`)).toBe('Authorization: token ***…')
  })

  test('no false positive: text shorter than a fragment, or sharing fewer than FRAGMENT characters', () => {
    const redactor = new Redactor([TOKEN])
    const short = FRAGMENT - 1
    expect(redactor.text(TOKEN.slice(0, short))).toBe(TOKEN.slice(0, short))
    expect(redactor.text(`${TOKEN.slice(0, short)} ${TOKEN.slice(short, 2 * short)}`)).toBe(
      `${TOKEN.slice(0, short)} ${TOKEN.slice(short, 2 * short)}`
    )
    expect(redactor.text('tok_')).toBe('tok_')
  })

  test('a secret shorter than a fragment is still replaced when it appears whole', () => {
    const redactor = new Redactor(['s3cr7'])
    expect(redactor.text('a s3cr7 b s3cr')).toBe('a *** b s3cr')
  })

  test('secrets with quotes, backslashes, tabs, runs of spaces and unicode are replaced', () => {
    const secrets = ['pa"ss\\wo\'rd-0001', 'tab\tbed\tsecret', 'many    spaces  here', 'clé-sécrète-ñ-日本語-🔑-x']
    const redactor = new Redactor(secrets)
    for (const secret of secrets) {
      expect(redactor.text(`[${secret}]`)).toBe('[***]')
      for (const piece of fragments(secret)) expectNoFragment(redactor.text(`<${piece}>`), secret)
    }
  })

  test('redacting before JSON encoding leaves no piece of a secret that JSON would escape', () => {
    const secret = 'ab"cd\\ef\tgh"ij\\kl mn'
    const redactor = new Redactor([secret])
    const encoded = JSON.stringify(redactor.value({ detail: `bad token ${secret}`, cut: secret.slice(2, 16) }))
    expect(encoded).toBe('{"detail":"bad token ***","cut":"***"}')
    expectNoFragment(encoded, secret)
    const escaped = JSON.stringify(secret).slice(1, -1)
    expect(encoded).not.toContain(escaped)
  })

  test('the runs between JSON escapes of FRAGMENT or more characters are removed even after encoding', () => {
    const secret = 'abcdefghijklm"nopqrstuvwxyz'
    const redactor = new Redactor([secret])
    const late = redactor.text(JSON.stringify({ token: secret }))
    expect(late).not.toContain('abcdefghijkl')
    expect(late).not.toContain('opqrstuvwxyz')
  })

  test('the whitespace an excerpt collapses is handled by redacting first', () => {
    const secret = 'word1   word2\t\tword3'
    const redactor = new Redactor([secret])
    const collapsed = redactor.text(`detail: ${secret}`).replace(/\s+/g, ' ')
    expect(collapsed).toBe('detail: ***')
  })

  test('a long text full of near misses keeps every near miss', () => {
    const redactor = new Redactor([TOKEN])
    const nearMiss = `${TOKEN.slice(0, FRAGMENT - 1)}!`
    const text = Array.from({ length: 1000 }, () => nearMiss).join(' ')
    expect(redactor.text(text)).toBe(text)
  })
})

describe('Redactor.text, against the definition', () => {
  /** The definition: every window of FRAGMENT characters that stands in a secret is masked, as one run. */
  function masked(text: string, secrets: string[]): string {
    let out = text
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***')
    const pieces = new Set(secrets.flatMap(secret => (secret.length >= FRAGMENT ? fragments(secret) : [])))
    const covered = Array.from(out, () => false)
    for (let i = 0; i + FRAGMENT <= out.length; i++)
      if (pieces.has(out.slice(i, i + FRAGMENT))) covered.fill(true, i, i + FRAGMENT)
    return [...out].map((c, i) => (!covered[i] ? c : i === 0 || !covered[i - 1] ? '***' : '')).join('')
  }

  test('every piece of a secret, 12 to 14 characters long, at every offset, is masked as defined', () => {
    const secrets = [TOKEN, 'ghp_0123456789abcdefghijABCDEFGHIJ']
    const redactor = new Redactor(secrets)
    for (const secret of secrets)
      for (let length = FRAGMENT; length <= FRAGMENT + 2; length++)
        for (let start = 0; start + length <= secret.length; start++)
          for (let offset = 0; offset <= 2 * FRAGMENT; offset++) {
            const text = `${'.'.repeat(offset)}${secret.slice(start, start + length)}${'.'.repeat(9)}`
            expect(redactor.text(text)).toBe(masked(text, secrets))
            expect(redactor.text(text)).toBe(`${'.'.repeat(offset)}***${'.'.repeat(9)}`)
          }
  })

  test('random texts made of pieces of secrets, are masked exactly as defined', () => {
    // A fixed generator: the same texts every run.
    let seed = 42
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const secrets = [TOKEN, 'ghp_0123456789abcdefghijABCDEFGHIJ', 'short']
    const redactor = new Redactor(secrets)
    const alphabet = 'tok_4f9a2c7e1b8d6035ghp_abcXYZ -'
    for (let n = 0; n < 3000; n++) {
      let text = ''
      while (text.length < 10 + random(80)) {
        const secret = secrets[random(secrets.length)]
        const start = random(secret.length)
        text += random(2) ? secret.slice(start, start + 1 + random(secret.length)) : alphabet[random(alphabet.length)]
      }
      expect(redactor.text(text)).toBe(masked(text, secrets))
    }
  })
})

describe('Redactor.value', () => {
  test('strings anywhere in nested objects and arrays, keys included, are redacted; other values kept', () => {
    const redactor = new Redactor([TOKEN])
    const value = {
      [`key-${TOKEN}`]: [TOKEN, { deep: `x ${TOKEN.slice(2, 16)} y`, n: 42, ok: true, none: null }],
      list: [[`${TOKEN}`]],
      size: 7
    }
    expect(redactor.value(value)).toEqual({
      'key-***': ['***', { deep: 'x *** y', n: 42, ok: true, none: null }],
      list: [['***']],
      size: 7
    })
  })

  test('the input is not changed; a scalar comes back as it is', () => {
    const redactor = new Redactor([TOKEN])
    const value = { token: TOKEN, list: [TOKEN] }
    redactor.value(value)
    expect(value).toEqual({ token: TOKEN, list: [TOKEN] })
    expect(redactor.value(5)).toBe(5)
    expect(redactor.value(null)).toBeNull()
    expect(redactor.value(undefined)).toBeUndefined()
    expect(redactor.value(TOKEN)).toBe('***')
  })
})

describe('Redactor.has / add', () => {
  test('add is idempotent and has tells what was added; the empty string is never a secret', () => {
    const redactor = new Redactor()
    expect(redactor.has(TOKEN)).toBe(false)
    redactor.add(TOKEN)
    redactor.add(TOKEN)
    expect(redactor.has(TOKEN)).toBe(true)
    expect(redactor.text(`${TOKEN} ${TOKEN}`)).toBe('*** ***')
    redactor.add('')
    expect(redactor.has('')).toBe(false)
    expect(redactor.text('plain text')).toBe('plain text')
    expect(new Redactor([TOKEN, TOKEN, '']).text(`a ${TOKEN} b`)).toBe('a *** b')
  })

  test('a secret added later is redacted from then on', () => {
    const redactor = new Redactor([TOKEN])
    const later = 'ghp_LaterAddedSecret0042'
    expect(redactor.text(later)).toBe(later)
    redactor.add(later)
    expect(redactor.text(`${TOKEN} ${later}`)).toBe('*** ***')
  })
})

describe('displayUrl', () => {
  test('userinfo is removed and returned, as written and decoded', () => {
    const { shown, secrets } = displayUrl('https://someuser:p%40ssw0rd!@files.example.com/a/b.tar.gz')
    expect(shown).toBe('https://files.example.com/a/b.tar.gz')
    expect(secrets).toEqual(expect.arrayContaining(['someuser', 'p%40ssw0rd!', 'p@ssw0rd!']))
  })

  test('every query value becomes ***, the keys stay', () => {
    const { shown, secrets } = displayUrl(
      'https://bucket.example.com/f.bin?X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Signature=0123456789abcdef&x=1'
    )
    expect(shown).toBe('https://bucket.example.com/f.bin?X-Amz-Credential=***&X-Amz-Signature=***&x=***')
    expect(secrets).toEqual(expect.arrayContaining(['AKIAEXAMPLE/20240101', '0123456789abcdef']))
  })

  test('query values are returned as written too: a server may echo the URL as it was sent', () => {
    const url = 'https://acct.blob.example.net/c/f.zip?sv=2024&sig=Ab%2Bcd%2Fef%3D%3Dgh%2B'
    const { secrets } = displayUrl(url)
    expect(secrets).toEqual(expect.arrayContaining(['Ab+cd/ef==gh+', 'Ab%2Bcd%2Fef%3D%3Dgh%2B']))
    expect(displayUrl('https://example.com/f?sig=abcdef==&k=a=b=cdefg').secrets).toEqual(['abcdef==', 'a=b=cdefg'])
    const redactor = new Redactor(secrets)
    expect(redactor.text(`could not fetch ${url}`)).toBe(
      'could not fetch https://acct.blob.example.net/c/f.zip?sv=2024&sig=***'
    )
  })

  test('the fragment becomes ***, and is returned as written and decoded', () => {
    const { shown, secrets } = displayUrl('https://example.com/f.txt#access_token=abc%20defghi')
    expect(shown).toBe('https://example.com/f.txt#***')
    expect(secrets).toEqual(expect.arrayContaining(['access_token=abc%20defghi', 'access_token=abc defghi']))
  })

  test('values shorter than 6 characters are masked in the URL but not returned as secrets', () => {
    const { shown, secrets } = displayUrl('https://u:pw@example.com/f?a=1&b=12345&c=123456#frag')
    expect(shown).toBe('https://example.com/f?a=***&b=***&c=***#***')
    expect(secrets).toEqual(['123456'])
  })

  test('a malformed percent escape is kept as written, never thrown', () => {
    const { shown, secrets } = displayUrl('https://user:secret%zz99@example.com/f#frag%E0%A4%Amore')
    expect(shown).toBe('https://example.com/f#***')
    expect(secrets).toEqual(expect.arrayContaining(['secret%zz99', 'frag%E0%A4%Amore']))
  })

  test('IPv6 hosts and ports are kept', () => {
    expect(displayUrl('http://admin:hunter22@[2001:db8::1]:8443/f.bin?token=abcdef123').shown).toBe(
      'http://[2001:db8::1]:8443/f.bin?token=***'
    )
    expect(displayUrl('https://example.com:8080/path/f.bin').shown).toBe('https://example.com:8080/path/f.bin')
  })

  test('a URL without credentials, query or fragment is unchanged and has no secrets', () => {
    expect(displayUrl('https://example.com/releases/v1/app.tar.gz')).toEqual({
      shown: 'https://example.com/releases/v1/app.tar.gz',
      secrets: []
    })
  })

  test('a query key without a value is kept (with ***), and reveals nothing', () => {
    expect(displayUrl('https://example.com/f?download&t=abcdefgh')).toEqual({
      shown: 'https://example.com/f?download=***&t=***',
      secrets: ['abcdefgh']
    })
  })
})
