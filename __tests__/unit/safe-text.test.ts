import { asLogLines, hasUnsafeCharacters, printable } from '../../src/safe-text.js'

/** Every character `printable` must escape, by kind. */
const UNSAFE: Record<string, string[]> = {
  C0: Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  DEL: ['\u007f'],
  C1: Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
  'line and paragraph separators': ['\u2028', '\u2029'],
  'bidi embeddings and overrides': ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e'],
  'bidi isolates': ['\u2066', '\u2067', '\u2068', '\u2069'],
  BOM: ['\ufeff']
}

describe('printable', () => {
  test.each(Object.entries(UNSAFE))('%s are escaped', (_, characters) => {
    for (const c of characters) {
      const shown = printable(`a${c}b`)
      expect(shown).toMatch(/^a\\(n|r|t|u[0-9a-f]{4})b$/)
      expect(hasUnsafeCharacters(shown)).toBe(false)
    }
  })

  test('line breaks and tabs use their short escapes; others their code point', () => {
    expect(printable('one\ntwo\r\nthree\tfour')).toBe('one\\ntwo\\r\\nthree\\tfour')
    expect(printable('\u001b[31mred\u001b[0m')).toBe('\\u001b[31mred\\u001b[0m')
    expect(printable('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe')
    expect(printable('\ufeffbom')).toBe('\\ufeffbom')
    expect(printable('\u0085next')).toBe('\\u0085next')
    expect(printable('nul\u0000')).toBe('nul\\u0000')
  })

  test('ordinary text, unicode and emoji are kept as they are', () => {
    for (const text of ['dist/app-1.2.3.tar.gz', 'café/日本語/файл.txt', 'rocket 🚀 ok', 'tab-free  spaces', '']) {
      expect(printable(text)).toBe(text)
    }
  })

  test('a log line cannot be started inside an escaped string', () => {
    expect(printable('name\n::error::pwned')).toBe('name\\n::error::pwned')
    expect(printable('name\r##[warning]x')).toBe('name\\r##[warning]x')
  })

  test('text longer than max is cut with …, after escaping', () => {
    expect(printable('abcdef', 3)).toBe('abc…')
    expect(printable('abc', 3)).toBe('abc')
    expect(printable('\n\n', 3)).toBe('\\n\\…')
    expect(printable('x'.repeat(500))).toBe(`${'x'.repeat(200)}…`)
    expect(printable('x'.repeat(200))).toBe('x'.repeat(200))
  })

  test('the regular expression keeps no state between calls', () => {
    for (let i = 0; i < 3; i++) expect(printable('a\nb')).toBe('a\\nb')
  })
})

describe('hasUnsafeCharacters', () => {
  test.each(Object.entries(UNSAFE))('finds %s', (_, characters) => {
    for (const c of characters) expect(hasUnsafeCharacters(`file${c}name`)).toBe(true)
  })

  test('is false for ordinary text and the same on every call (no lastIndex left over)', () => {
    expect(hasUnsafeCharacters('dist/app.tar.gz')).toBe(false)
    expect(hasUnsafeCharacters('café 🚀 日本語')).toBe(false)
    expect(hasUnsafeCharacters('')).toBe(false)
    for (let i = 0; i < 3; i++) expect(hasUnsafeCharacters('xxxxxxxx\n')).toBe(true)
    for (let i = 0; i < 3; i++) expect(hasUnsafeCharacters('\n')).toBe(true)
  })
})

describe('asLogLines', () => {
  test('a line that starts with :: is shown behind > ', () => {
    expect(asLogLines('::error::pwned')).toBe('> ::error::pwned')
    expect(asLogLines('::')).toBe('> ::')
  })

  test('whitespace before :: is kept and does not hide it, U+0085 included (the runner trims it too)', () => {
    expect(asLogLines('   ::set-output name=a::b')).toBe('   > ::set-output name=a::b')
    expect(asLogLines('\t::add-mask::x')).toBe('\t> ::add-mask::x')
    expect(asLogLines('\u00a0\u3000::warning::x')).toBe('\u00a0\u3000> ::warning::x')
    expect(asLogLines('\u0085::error::x')).toBe('\u0085> ::error::x')
  })

  test('##[ is broken up wherever it stands: the runner reads the old command form anywhere in a line', () => {
    expect(asLogLines('##[group]x')).toBe('##\\[group]x')
    expect(asLogLines(' \t ##[endgroup]')).toBe(' \t ##\\[endgroup]')
    expect(asLogLines('pinned dist/a ##[set-output name=nid]evil — Nid bafy')).toBe(
      'pinned dist/a ##\\[set-output name=nid]evil — Nid bafy'
    )
    expect(asLogLines('###[x] ##[a]##[b]')).toBe('###\\[x] ##\\[a]##\\[b]')
    expect(asLogLines('a ##[error]b')).not.toContain('##[')
  })

  test('every line of a multi-line message is checked; other lines are unchanged', () => {
    const message = ['Pinned 2 files', '::error::one', 'ok :: fine', '  ##[warning]two', '#[not a command]', ''].join(
      '\n'
    )
    expect(asLogLines(message)).toBe(
      ['Pinned 2 files', '> ::error::one', 'ok :: fine', '  ##\\[warning]two', '#[not a command]', ''].join('\n')
    )
    expect(asLogLines('a\r\n::debug::b')).toBe('a\r\n> ::debug::b')
    expect(asLogLines('a\n\n  \n::debug::b')).toBe('a\n\n  \n> ::debug::b')
  })

  test('ordinary lines, and :: that is not at the start of a line, are left alone', () => {
    for (const text of ['plain', 'a::b', 'std::vector', 'C# ## heading', 'x ## [y]', ':', '#', '']) {
      expect(asLogLines(text)).toBe(text)
    }
  })

  test('a line break the runner splits on (\\r) starts a new line too', () => {
    expect(asLogLines('progress\r::error::x')).toBe('progress\r> ::error::x')
  })
})
