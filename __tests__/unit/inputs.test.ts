import * as os from 'node:os'
import * as path from 'node:path'
import { Inputs } from '../../src/constants.js'
import { InputError, PreflightError } from '../../src/errors.js'
import { parseInputs, sendsToNumbers, uploadsFiles, type RunEnvironment, type RunInputs } from '../../src/inputs/pin.js'
import { lines, parseSize } from '../../src/inputs/readers.js'

type Values = Partial<Record<Inputs, string>>

const workspace = path.resolve('/work/repo')
const runnerTemp = path.resolve('/runner/tmp')
const env: RunEnvironment = { workspace, runnerTemp }

/** A reader built from a record, as `core.getInput` would read the step's `with:`. */
const reader =
  (values: Values) =>
  (name: Inputs): string =>
    values[name] ?? ''
const parse = (values: Values, environment: RunEnvironment = env): RunInputs => parseInputs(reader(values), environment)
const base: Values = { [Inputs.Path]: 'dist/**', [Inputs.CaptureToken]: 'tok' }

/** The error parseInputs throws (failing the test if it returns). */
function errorOf(values: Values): Error {
  try {
    parse(values)
  } catch (error) {
    return error as Error
  }
  throw new Error(`parseInputs accepted ${JSON.stringify(values)}`)
}

/** Every problem's message, whether one (an InputError) or several (a PreflightError). */
function problemsOf(values: Values): string[] {
  let error: unknown
  try {
    parse(values)
    return []
  } catch (caught) {
    error = caught
  }
  if (error instanceof PreflightError) return error.problems.map(p => p.message)
  if (error instanceof InputError) return [error.message]
  throw error
}

describe('defaults', () => {
  test('a path and a token are all that is needed; everything else has its documented default', () => {
    expect(parse(base)).toEqual({
      patterns: ['dist/**'],
      fileUrls: [],
      includeHiddenFiles: false,
      captureToken: 'tok',
      pin: true,
      nidSource: 'local',
      cidVersion: 1,
      ifNoFilesFound: 'error',
      maxFileSize: 25 * 2 ** 20,
      concurrency: 4,
      retries: 3,
      timeoutSeconds: 300,
      manifestPath: path.join(runnerTemp, 'numbers-manifest.json'),
      previousManifest: '',
      verifyPrevious: false,
      showSummary: true,
      gatewayUrl: 'https://ipfs-pin.numbersprotocol.io/ipfs/',
      nidApiUrl: 'https://eoaw7tnt9xlliga.m.pipedream.net',
      pinApiUrl: 'https://eoqctv92ahgrcif.m.pipedream.net',
      prComment: false,
      releaseNotes: false,
      githubToken: '',
      checksumsPath: path.join(runnerTemp, 'numbers-checksums.txt'),
      workspace,
      shard: undefined,
      unpinAbsent: 'false',
      unpinMax: 100,
      unpinApiUrl: 'https://eo3wcvdjj73vq4x.m.pipedream.net',
      maxMonthlyCost: undefined
    })
  })

  test('every input of the enum is read, and nothing else', () => {
    const read = new Set<string>()
    parseInputs(name => {
      read.add(name)
      return base[name] ?? ''
    }, env)
    expect([...read].sort()).toEqual(Object.values(Inputs).sort())
  })

  test('without RUNNER_TEMP the manifest and checksums go to the OS temp folder', () => {
    const inputs = parse(base, { workspace })
    expect(inputs.manifestPath).toBe(path.join(os.tmpdir(), 'numbers-manifest.json'))
    expect(inputs.checksumsPath).toBe(path.join(os.tmpdir(), 'numbers-checksums.txt'))
  })

  test('an empty RUNNER_TEMP counts as unset', () => {
    expect(parse(base, { workspace, runnerTemp: '' }).manifestPath).toBe(
      path.join(os.tmpdir(), 'numbers-manifest.json')
    )
  })
})

describe('values', () => {
  test('multi-line inputs are split into trimmed, non-empty lines (LF and CRLF)', () => {
    const inputs = parse({
      ...base,
      [Inputs.Path]: 'dist/*.tgz\n\n  !dist/skip.tgz  \r\n\t\n',
      [Inputs.FileUrls]: ' https://example.com/a.bin\r\nhttp://example.com/b.bin \n'
    })
    expect(inputs.patterns).toEqual(['dist/*.tgz', '!dist/skip.tgz'])
    expect(inputs.fileUrls).toEqual(['https://example.com/a.bin', 'http://example.com/b.bin'])
  })

  test('manifest-path and previous-manifest are resolved against the workspace', () => {
    const inputs = parse({ ...base, [Inputs.ManifestPath]: 'out/m.json', [Inputs.PreviousManifest]: '.cache/m.json' })
    expect(inputs.manifestPath).toBe(path.join(workspace, 'out', 'm.json'))
    expect(inputs.previousManifest).toBe(path.join(workspace, '.cache', 'm.json'))
  })

  test('verify-previous: true needs a previous-manifest to check', () => {
    expect(
      parse({ ...base, [Inputs.VerifyPrevious]: 'true', [Inputs.PreviousManifest]: 'm.json' }).verifyPrevious
    ).toBe(true)
    expect(problemsOf({ ...base, [Inputs.VerifyPrevious]: 'true' })).toEqual([
      "Input 'verify-previous': is true, but previous-manifest is not set: there are no earlier pins to check; set previous-manifest to the manifest an earlier run wrote, or remove verify-previous"
    ])
    expect(problemsOf({ ...base, [Inputs.VerifyPrevious]: 'yes' })).toEqual([
      "Input 'verify-previous': 'yes' is not a boolean; use true or false"
    ])
  })

  test('manifest-path with .. segments is normalised; an absolute one is kept', () => {
    expect(parse({ ...base, [Inputs.ManifestPath]: './a/../b/m.json' }).manifestPath).toBe(
      path.join(workspace, 'b', 'm.json')
    )
    const absolute = path.resolve('/elsewhere/m.json')
    expect(parse({ ...base, [Inputs.ManifestPath]: absolute }).manifestPath).toBe(absolute)
  })

  test.each([
    ['https://gw.example/ipfs', 'https://gw.example/ipfs/'],
    ['https://gw.example/ipfs/', 'https://gw.example/ipfs/'],
    ['  http://localhost:8080/ipfs  ', 'http://localhost:8080/ipfs/']
  ])('gateway-url %j becomes %j (exactly one trailing slash)', (raw, expected) => {
    expect(parse({ ...base, [Inputs.GatewayUrl]: raw }).gatewayUrl).toBe(expected)
  })

  test('endpoints given by the user are used as written', () => {
    const inputs = parse({
      ...base,
      [Inputs.NidApiUrl]: 'http://127.0.0.1:1234/nid',
      [Inputs.PinApiUrl]: 'https://pin.example/x?y=1'
    })
    expect([inputs.nidApiUrl, inputs.pinApiUrl]).toEqual(['http://127.0.0.1:1234/nid', 'https://pin.example/x?y=1'])
  })

  test.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    [' true ', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('boolean %j is %j (the YAML 1.2 core schema, as core.getBooleanInput)', (raw, value) => {
    const inputs = parse({ ...base, [Inputs.IncludeHiddenFiles]: raw, [Inputs.ShowSummary]: raw })
    expect([inputs.includeHiddenFiles, inputs.showSummary]).toEqual([value, value])
  })

  test('choices, CID version and numbers', () => {
    const inputs = parse({
      ...base,
      [Inputs.CidVersion]: '0',
      [Inputs.NidSource]: 'api',
      [Inputs.IfNoFilesFound]: 'ignore',
      [Inputs.Concurrency]: ' 16 ',
      [Inputs.Retries]: '0',
      [Inputs.Timeout]: '3600',
      [Inputs.MaxFileSize]: '100 MB'
    })
    expect(inputs).toMatchObject({
      cidVersion: 0,
      nidSource: 'api',
      ifNoFilesFound: 'ignore',
      concurrency: 16,
      retries: 0,
      timeoutSeconds: 3600,
      maxFileSize: 100e6
    })
  })

  test.each<[Inputs, string, keyof RunInputs, number]>([
    [Inputs.Concurrency, '1', 'concurrency', 1],
    [Inputs.Concurrency, '64', 'concurrency', 64],
    [Inputs.Retries, '10', 'retries', 10],
    [Inputs.Timeout, '1', 'timeoutSeconds', 1]
  ])('%s %j is accepted (a bound of its range)', (input, raw, key, value) => {
    expect(parse({ ...base, [input]: raw })[key]).toBe(value)
  })

  test('tokens are trimmed', () => {
    const inputs = parse({ ...base, [Inputs.CaptureToken]: '  tok \n', [Inputs.GithubToken]: ' gh ' })
    expect([inputs.captureToken, inputs.githubToken]).toEqual(['tok', 'gh'])
  })

  test('pr-comment and release-notes with a token', () => {
    const inputs = parse({
      ...base,
      [Inputs.PrComment]: 'true',
      [Inputs.ReleaseNotes]: 'true',
      [Inputs.GithubToken]: 'gh'
    })
    expect([inputs.prComment, inputs.releaseNotes, inputs.githubToken]).toEqual([true, true, 'gh'])
  })
})

describe('validation', () => {
  test.each<[string, Values, RegExp]>([
    ['cid-version 2', { [Inputs.CidVersion]: '2' }, /^Input 'cid-version': '2' is not a CID version; use 1 .* or 0/],
    ['cid-version v1', { [Inputs.CidVersion]: 'v1' }, /^Input 'cid-version': 'v1' is not a CID version/],
    ['boolean yes', { [Inputs.Pin]: 'yes' }, /^Input 'pin': 'yes' is not a boolean; use true or false$/],
    ['boolean 1', { [Inputs.ShowSummary]: '1' }, /^Input 'show-summary': '1' is not a boolean/],
    ['boolean on', { [Inputs.IncludeHiddenFiles]: 'on' }, /^Input 'include-hidden-files': 'on' is not a boolean/],
    ['concurrency 0', { [Inputs.Concurrency]: '0' }, /^Input 'concurrency': '0' must be a whole number from 1 to 64$/],
    [
      'concurrency abc',
      { [Inputs.Concurrency]: 'abc' },
      /^Input 'concurrency': 'abc' must be a whole number from 1 to 64$/
    ],
    [
      'concurrency 1000',
      { [Inputs.Concurrency]: '1000' },
      /^Input 'concurrency': '1000' must be a whole number from 1 to 64$/
    ],
    ['concurrency 65', { [Inputs.Concurrency]: '65' }, /^Input 'concurrency': '65' must be a whole number/],
    ['concurrency 2.5', { [Inputs.Concurrency]: '2.5' }, /^Input 'concurrency': '2\.5' must be a whole number/],
    ['concurrency 1e1', { [Inputs.Concurrency]: '1e1' }, /^Input 'concurrency': '1e1' must be a whole number/],
    ['retries -1', { [Inputs.Retries]: '-1' }, /^Input 'retries': '-1' must be a whole number from 0 to 10$/],
    ['retries 11', { [Inputs.Retries]: '11' }, /^Input 'retries': '11' must be a whole number from 0 to 10$/],
    ['timeout 0', { [Inputs.Timeout]: '0' }, /^Input 'timeout': '0' must be a whole number from 1 to 3600$/],
    ['timeout 3601', { [Inputs.Timeout]: '3601' }, /^Input 'timeout': '3601' must be a whole number from 1 to 3600$/],
    [
      'max-file-size lots',
      { [Inputs.MaxFileSize]: 'lots' },
      /^Input 'max-file-size': 'lots' is not a size; use bytes or a unit/
    ],
    ['max-file-size 0', { [Inputs.MaxFileSize]: '0' }, /^Input 'max-file-size': '0' is not a size/],
    ['max-file-size 25 TB', { [Inputs.MaxFileSize]: '25 TB' }, /^Input 'max-file-size': '25 TB' is not a size/],
    ['nid-source remote', { [Inputs.NidSource]: 'remote' }, /^Input 'nid-source': 'remote' is not one of local, api$/],
    ['nid-source API (case matters)', { [Inputs.NidSource]: 'API' }, /^Input 'nid-source': 'API' is not one of/],
    [
      'if-no-files-found fail',
      { [Inputs.IfNoFilesFound]: 'fail' },
      /^Input 'if-no-files-found': 'fail' is not one of error, warn, ignore$/
    ],
    [
      'an ftp URL',
      { [Inputs.FileUrls]: 'ftp://x' },
      /^Input 'file-urls': 'ftp:\/\/x\/' is not a public http\(s\) URL$/
    ],
    [
      'not a URL',
      { [Inputs.FileUrls]: 'not a url' },
      /^Input 'file-urls': line 1 \(not shown\) is not a public http\(s\) URL$/
    ],
    ['a bad gateway-url', { [Inputs.GatewayUrl]: 'gw' }, /^Input 'gateway-url': 'gw' is not an http\(s\) URL$/],
    [
      'a file: gateway-url',
      { [Inputs.GatewayUrl]: 'file:///ipfs/' },
      /^Input 'gateway-url': 'file:\/\/\/ipfs\/' is not an http\(s\) URL$/
    ],
    [
      'a bad nid-api-url',
      { [Inputs.NidApiUrl]: 'file:///etc/passwd' },
      /^Input 'nid-api-url': 'file:\/\/\/etc\/passwd' is not an http\(s\) URL$/
    ],
    [
      'a bad pin-api-url',
      { [Inputs.PinApiUrl]: 'pin.example' },
      /^Input 'pin-api-url': 'pin\.example' is not an http\(s\) URL$/
    ],
    [
      'pr-comment without a GitHub token',
      { [Inputs.PrComment]: 'true' },
      /^Input 'github-token': is empty, but pr-comment is true/
    ],
    [
      'release-notes without a GitHub token',
      { [Inputs.ReleaseNotes]: 'true' },
      /^Input 'github-token': is empty, but release-notes is true/
    ]
  ])('refuses %s, naming the input and the value', (_name, values, message) => {
    const error = errorOf({ ...base, ...values })
    // A single problem is thrown as itself, so its message is the whole error.
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(message)
  })

  test('an InputError carries the input it is about', () => {
    const error = errorOf({ ...base, [Inputs.Retries]: 'many' })
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe(Inputs.Retries)
    expect(error.name).toBe('InputError')
  })

  test('neither path nor file-urls', () => {
    expect(problemsOf({ [Inputs.CaptureToken]: 'tok' })).toEqual([
      expect.stringMatching(/^Input 'path': neither 'path' nor 'file-urls' is set/)
    ])
    // Blank lines alone are nothing.
    expect(problemsOf({ [Inputs.Path]: '\n \n', [Inputs.CaptureToken]: 'tok' })).toHaveLength(1)
  })

  test('file-urls alone (no path) are enough', () => {
    const inputs = parse({ [Inputs.FileUrls]: 'https://example.com/a', [Inputs.CaptureToken]: 'tok' })
    expect([inputs.patterns, inputs.fileUrls]).toEqual([[], ['https://example.com/a']])
  })

  test('each bad URL is its own problem; good ones beside them are not', () => {
    expect(
      problemsOf({ ...base, [Inputs.FileUrls]: 'https://ok.example/a\nftp://x\nnot a url\nhttp://ok.example/b' })
    ).toEqual([
      "Input 'file-urls': 'ftp://x/' is not a public http(s) URL",
      "Input 'file-urls': line 3 (not shown) is not a public http(s) URL"
    ])
  })

  describe('capture-token', () => {
    test.each<[string, Values, RegExp]>([
      ['pin: true (the default)', {}, /but pin: true sends files to Numbers/],
      ['nid-source: api', { [Inputs.Pin]: 'false', [Inputs.NidSource]: 'api' }, /but nid-source: api sends files/],
      [
        'file URLs',
        { [Inputs.Pin]: 'false', [Inputs.FileUrls]: 'https://example.com/a' },
        /but file-urls are resolved by the Numbers API/
      ]
    ])('is required for %s', (_name, values, why) => {
      const problems = problemsOf({ [Inputs.Path]: 'x', ...values })
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatch(/^Input 'capture-token': is empty/)
      expect(problems[0]).toMatch(why)
      // It says how to fix it, including the fork case.
      expect(problems[0]).toContain('${{ secrets.CAPTURE_TOKEN }}')
      expect(problems[0]).toContain('pin: false with nid-source: local')
    })

    test('whitespace is not a token', () => {
      expect(problemsOf({ [Inputs.Path]: 'x', [Inputs.CaptureToken]: ' \n ' })).toEqual([
        expect.stringMatching(/^Input 'capture-token': is empty/)
      ])
    })

    test('is not needed for pin: false with local Nids', () => {
      const inputs = parse({ [Inputs.Path]: 'x', [Inputs.Pin]: 'false', [Inputs.NidSource]: 'local' })
      expect(inputs.captureToken).toBe('')
      expect(sendsToNumbers(inputs)).toBe(false)
      expect(uploadsFiles(inputs)).toBe(false)
    })
  })

  test('every problem is reported together in one PreflightError', () => {
    const error = errorOf({
      [Inputs.CidVersion]: '7',
      [Inputs.Pin]: 'maybe',
      [Inputs.Timeout]: 'never',
      [Inputs.FileUrls]: 'ftp://x',
      [Inputs.GatewayUrl]: 'gw'
    })
    expect(error).toBeInstanceOf(PreflightError)
    const { problems } = error as PreflightError
    expect(problems.every(p => p instanceof InputError)).toBe(true)
    // 'pin: maybe' falls back to true, so the missing token is reported as well.
    expect(problems.map(p => (p as InputError).input).sort()).toEqual([
      'capture-token',
      'cid-version',
      'file-urls',
      'gateway-url',
      'pin',
      'timeout'
    ])
    expect(error.message.split('\n')[0]).toBe('6 inputs need fixing:')
    for (const problem of problems) expect(error.message).toContain(`\n  - ${problem.message}`)
  })

  test('two problems make a PreflightError too, not just the first', () => {
    const error = errorOf({ ...base, [Inputs.Concurrency]: '0', [Inputs.Retries]: '-1' })
    expect(error).toBeInstanceOf(PreflightError)
    expect((error as PreflightError).problems.map(p => (p as InputError).input)).toEqual([
      Inputs.Concurrency,
      Inputs.Retries
    ])
  })
})

describe('parseSize', () => {
  test.each<[string, number | undefined]>([
    ['25MiB', 25 * 2 ** 20],
    ['25 MiB', 25 * 2 ** 20],
    ['25mib', 25 * 2 ** 20],
    ['25 MB', 25e6],
    ['25MB', 25e6],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['1GB', 1e9],
    ['500kb', 500e3],
    ['500 KiB', 500 * 1024],
    ['1000', 1000],
    ['1000 B', 1000],
    ['7b', 7],
    [' 42 ', 42],
    ['1.9', 1],
    ['0', undefined],
    ['0 MB', undefined],
    ['0.1', undefined],
    ['', undefined],
    ['   ', undefined],
    ['abc', undefined],
    ['MB', undefined],
    ['10 parsecs', undefined],
    ['1 TB', undefined],
    ['-5MB', undefined],
    ['1e6', undefined],
    ['1,000', undefined],
    ['99999999999 GiB', undefined]
  ])('parseSize(%j) = %j', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })
})

test('lines drops blank lines and trims each', () => {
  expect(lines(' a \n\n\tb\r\n  \r\nc')).toEqual(['a', 'b', 'c'])
  expect(lines('')).toEqual([])
})

test.each<[boolean, 'local' | 'api', string[], boolean, boolean]>([
  [true, 'local', [], true, true],
  [false, 'api', [], true, true],
  [false, 'local', ['https://x'], true, false],
  [false, 'local', [], false, false],
  [true, 'api', ['https://x'], true, true]
])('pin %j, nid-source %j, urls %j: sends %j, uploads files %j', (pin, nidSource, fileUrls, sends, uploads) => {
  expect(sendsToNumbers({ pin, nidSource, fileUrls, unpinAbsent: 'false' })).toBe(sends)
  expect(uploadsFiles({ pin, nidSource })).toBe(uploads)
})

test('unpin-absent: true sends to Numbers (the Unpin API) even when nothing else does; plan does not', () => {
  const quiet = { pin: false, nidSource: 'local' as const, fileUrls: [] }
  expect(sendsToNumbers({ ...quiet, unpinAbsent: 'true' })).toBe(true)
  expect(sendsToNumbers({ ...quiet, unpinAbsent: 'plan' })).toBe(false)
})
