import * as path from 'node:path'
import { Inputs } from '../../src/constants.js'
import { InputError, PreflightError } from '../../src/errors.js'
import { lines, parseInputs, parseSize, sendsToNumbers } from '../../src/inputs.js'

const env = { workspace: '/work/repo', runnerTemp: '/runner/tmp' }
const parse = (values: Partial<Record<Inputs, string>>) => parseInputs(name => values[name] ?? '', env)
const base = { [Inputs.Path]: 'dist/**', [Inputs.CaptureToken]: 'tok' }

function problemsOf(values: Partial<Record<Inputs, string>>): string[] {
  try {
    parse(values)
  } catch (error) {
    if (error instanceof PreflightError) return error.problems.map(p => p.message)
    if (error instanceof InputError) return [error.message]
    throw error
  }
  return []
}

describe('parseInputs', () => {
  test('defaults', () => {
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
      manifestPath: path.join('/runner/tmp', 'numbers-manifest.json'),
      previousManifest: '',
      showSummary: true,
      gatewayUrl: 'https://ipfs-pin.numbersprotocol.io/ipfs/',
      nidApiUrl: 'https://eoaw7tnt9xlliga.m.pipedream.net',
      pinApiUrl: 'https://eoqctv92ahgrcif.m.pipedream.net',
      prComment: false,
      releaseNotes: false,
      githubToken: '',
      checksumsPath: path.join('/runner/tmp', 'numbers-checksums.txt'),
      workspace: '/work/repo'
    })
  })

  test('multi-line inputs, relative paths resolved against the workspace, gateway gets a slash', () => {
    const inputs = parse({
      ...base,
      [Inputs.Path]: 'dist/*.tgz\n\n  !dist/skip.tgz  \r\n',
      [Inputs.FileUrls]: 'https://example.com/a.bin\nhttp://example.com/b.bin',
      [Inputs.ManifestPath]: 'out/m.json',
      [Inputs.PreviousManifest]: '.cache/m.json',
      [Inputs.GatewayUrl]: 'https://gw.example/ipfs',
      [Inputs.CidVersion]: '0',
      [Inputs.Pin]: 'False',
      [Inputs.IncludeHiddenFiles]: 'TRUE'
    })
    expect(inputs.patterns).toEqual(['dist/*.tgz', '!dist/skip.tgz'])
    expect(inputs.fileUrls).toEqual(['https://example.com/a.bin', 'http://example.com/b.bin'])
    expect(inputs.manifestPath).toBe('/work/repo/out/m.json')
    expect(inputs.previousManifest).toBe('/work/repo/.cache/m.json')
    expect(inputs.gatewayUrl).toBe('https://gw.example/ipfs/')
    expect([inputs.cidVersion, inputs.pin, inputs.includeHiddenFiles]).toEqual([0, false, true])
  })

  test.each<[string, Partial<Record<Inputs, string>>, RegExp]>([
    ['cid-version 2', { [Inputs.CidVersion]: '2' }, /Input 'cid-version': '2' is not a CID version/],
    ['boolean yes', { [Inputs.Pin]: 'yes' }, /Input 'pin': 'yes' is not a boolean/],
    ['concurrency 0', { [Inputs.Concurrency]: '0' }, /Input 'concurrency': '0' must be a whole number from 1 to 64/],
    ['concurrency abc', { [Inputs.Concurrency]: 'abc' }, /'abc' must be a whole number/],
    ['concurrency 1000', { [Inputs.Concurrency]: '1000' }, /'1000' must be a whole number from 1 to 64/],
    ['concurrency 2.5', { [Inputs.Concurrency]: '2.5' }, /'2\.5' must be a whole number/],
    ['retries -1', { [Inputs.Retries]: '-1' }, /Input 'retries'/],
    ['timeout 0', { [Inputs.Timeout]: '0' }, /Input 'timeout': '0' must be a whole number from 1 to 3600/],
    ['max-file-size lots', { [Inputs.MaxFileSize]: 'lots' }, /Input 'max-file-size': 'lots' is not a size/],
    ['nid-source remote', { [Inputs.NidSource]: 'remote' }, /Input 'nid-source': 'remote' is not one of local, api/],
    ['if-no-files-found fail', { [Inputs.IfNoFilesFound]: 'fail' }, /'fail' is not one of error, warn, ignore/],
    [
      'an ftp URL',
      { [Inputs.FileUrls]: 'ftp://x/y' },
      /Input 'file-urls': 'ftp:\/\/x\/y' is not a public http\(s\) URL/
    ],
    ['not a URL', { [Inputs.FileUrls]: 'not a url' }, /'not a url' is not a public http\(s\) URL/],
    ['a bad gateway-url', { [Inputs.GatewayUrl]: 'gw' }, /Input 'gateway-url': 'gw' is not an http\(s\) URL/],
    ['a bad nid-api-url', { [Inputs.NidApiUrl]: 'file:///etc/passwd' }, /Input 'nid-api-url'/],
    [
      'pr-comment without a token',
      { [Inputs.PrComment]: 'true' },
      /Input 'github-token': is empty, but pr-comment is true/
    ]
  ])('refuses %s, naming the input', (_name, values, message) => {
    const problems = problemsOf({ ...base, ...values })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
  })

  test('neither path nor file-urls', () => {
    expect(problemsOf({ [Inputs.CaptureToken]: 'tok' })).toEqual([
      expect.stringMatching(/neither 'path' nor 'file-urls' is set/)
    ])
  })

  test.each<[string, Partial<Record<Inputs, string>>]>([
    ['pin: true', {}],
    ['nid-source: api', { [Inputs.Pin]: 'false', [Inputs.NidSource]: 'api' }],
    ['file URLs', { [Inputs.Pin]: 'false', [Inputs.FileUrls]: 'https://example.com/a' }]
  ])('a token is required for %s', (_name, values) => {
    expect(problemsOf({ [Inputs.Path]: 'x', ...values })).toEqual([
      expect.stringMatching(
        /Input 'capture-token': is empty.*secrets\.CAPTURE_TOKEN.*pin: false with nid-source: local/
      )
    ])
  })

  test('no token is needed with pin: false and local Nids', () => {
    const inputs = parse({ [Inputs.Path]: 'x', [Inputs.Pin]: 'false' })
    expect(sendsToNumbers(inputs)).toBe(false)
  })

  test('every problem is reported at once', () => {
    const problems = problemsOf({ [Inputs.CidVersion]: '7', [Inputs.Pin]: 'maybe', [Inputs.Timeout]: 'never' })
    expect(problems.map(p => /Input '([^']+)'/.exec(p)?.[1]).sort()).toEqual([
      'capture-token',
      'cid-version',
      'path',
      'pin',
      'timeout'
    ])
  })
})

test.each<[string, number | undefined]>([
  ['25MiB', 25 * 2 ** 20],
  ['25 MB', 25e6],
  ['1.5GiB', 1.5 * 2 ** 30],
  ['500kb', 500e3],
  ['1000', 1000],
  ['7 B', 7],
  ['0', undefined],
  ['', undefined],
  ['abc', undefined],
  ['10 parsecs', undefined],
  ['-5MB', undefined]
])('parseSize(%j) = %j', (text, bytes) => {
  expect(parseSize(text)).toBe(bytes)
})

test('lines drops blanks and trims', () => {
  expect(lines(' a \n\n\tb\r\n')).toEqual(['a', 'b'])
})
