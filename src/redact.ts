/**
 * Keeping secrets out of everything the action writes: the Capture Token, the GitHub token and the
 * credentials inside file URLs. Redaction works on plain strings, before any cutting or encoding
 * (JSON escapes `"`, `\` and tabs; an excerpt collapses spaces and cuts), and it also removes
 * fragments: any run of FRAGMENT or more characters that also stands in a secret.
 */

const MASK = '***'
/**
 * The shortest piece of a secret that is still redacted: long enough not to hit ordinary text (a
 * 12-character run of a hex token turns up in a sha256 about once in 10^11 files), short enough that
 * no useful part of a secret survives.
 */
export const FRAGMENT = 12
/**
 * Half a fragment. A window of FRAGMENT characters contains a whole block of BLOCK characters that
 * starts at a multiple of BLOCK, and if the window stands in a secret, so does that block: the text is
 * searched block by block, and only the windows around a block of a secret are looked up.
 */
const BLOCK = FRAGMENT / 2

export class Redactor {
  private readonly secrets: string[] = []
  private readonly pieces = new Set<string>()
  private readonly blocks = new Set<string>()

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret)
  }

  has(secret: string): boolean {
    return this.secrets.includes(secret)
  }

  add(secret: string): void {
    if (secret === '' || this.secrets.includes(secret)) return
    this.secrets.push(secret)
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length)
    for (let i = 0; i + FRAGMENT <= secret.length; i++) this.pieces.add(secret.slice(i, i + FRAGMENT))
    // A secret shorter than a fragment has no pieces (it is only replaced whole), so no blocks either.
    if (secret.length >= FRAGMENT)
      for (let i = 0; i + BLOCK <= secret.length; i++) this.blocks.add(secret.slice(i, i + BLOCK))
  }

  /** The text with every secret, and every fragment of one, replaced by `***`. */
  text(text: string): string {
    let out = text
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK)
    if (this.pieces.size === 0 || out.length < FRAGMENT) return out
    // Mark every character covered by a window that is a piece of a secret, then mask each marked run.
    const covered = new Uint8Array(out.length)
    let any = false
    for (let block = 0; block + BLOCK <= out.length; block += BLOCK) {
      if (!this.blocks.has(out.slice(block, block + BLOCK))) continue
      for (let i = Math.max(0, block - BLOCK); i <= block && i + FRAGMENT <= out.length; i++) {
        if (this.pieces.has(out.slice(i, i + FRAGMENT))) {
          covered.fill(1, i, i + FRAGMENT)
          any = true
        }
      }
    }
    if (!any) return out
    let result = ''
    for (let i = 0; i < out.length; i++) {
      if (!covered[i]) result += out[i]
      else if (i === 0 || !covered[i - 1]) result += MASK
    }
    return result
  }

  /**
   * A copy of a JSON-like value with every string in it redacted (keys included), but for the fields
   * named in `verbatim`: values the action computed itself (a sha256, a Nid), which hold no secret
   * and must never be altered by a chance match. What holds no secret is returned as it is (not copied).
   */
  value<T>(value: T, verbatim: readonly string[] = []): T {
    // With no secret there is nothing to take out; values with none are returned as they are, not copied.
    if (this.secrets.length === 0) return value
    if (typeof value === 'string') return this.text(value) as T
    if (Array.isArray(value)) {
      const items = value.map(item => this.value(item, verbatim))
      return (items.some((item, i) => item !== value[i]) ? items : value) as T
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value)
      const redacted = entries.map(([k, v]) => [this.text(k), verbatim.includes(k) ? v : this.value(v, verbatim)])
      const same = redacted.every(([k, v], i) => k === entries[i][0] && v === entries[i][1])
      return (same ? value : Object.fromEntries(redacted)) as T
    }
    return value
  }
}

/** A URL part as written and as decoded (a server may echo either); malformed escapes stay as written. */
function decoded(part: string): string[] {
  try {
    return [part, decodeURIComponent(part)]
  } catch {
    return [part]
  }
}

/** What a URL's query values must be at least to be treated as credentials and masked in logs. */
const MIN_MASKED_VALUE = 6

/**
 * A file URL as it may be shown and stored: userinfo removed, every query value and the fragment
 * replaced by `***` (signed URLs carry their credentials there), and the removed values, to be
 * masked wherever they would still appear. The URL is still sent to Numbers as given.
 */
export function displayUrl(url: string): { shown: string; secrets: string[] } {
  const parsed = new URL(url)
  const secrets = [parsed.username, parsed.password].flatMap(decoded)
  parsed.username = ''
  parsed.password = ''
  const query = [...parsed.searchParams]
  if (query.length > 0) {
    for (const [, value] of query) secrets.push(value)
    // As written too: a server may echo `%2B%2F` as sent, which may share no 8 characters with `+/`.
    for (const pair of parsed.search.slice(1).split('&'))
      if (pair.includes('=')) secrets.push(pair.slice(pair.indexOf('=') + 1))
    parsed.search = query.map(([key]) => `${encodeURIComponent(key)}=${MASK}`).join('&')
  }
  // A fragment is never sent, but may carry a token all the same.
  if (parsed.hash) {
    secrets.push(...decoded(parsed.hash.slice(1)))
    parsed.hash = MASK
  }
  return { shown: parsed.href, secrets: [...new Set(secrets)].filter(s => s.length >= MIN_MASKED_VALUE) }
}
