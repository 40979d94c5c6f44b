import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { identity } from 'multiformats/hashes/identity'
import { isCidOfVersion } from '../../src/cid.js'

const V1 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const V0 = 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH'
const V1_DAG_PB = 'bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y'

/** A canonical raw CIDv1 whose string is `length` characters long (an identity hash of zeros). */
function cidOfLength(length: number): string {
  for (let bytes = 0; bytes < 200; bytes++) {
    const text = CID.createV1(0x55, identity.digest(new Uint8Array(bytes))).toString()
    if (text.length === length) return text
  }
  throw new Error(`no identity CID is ${length} characters long`)
}

test('a canonical CIDv1 and CIDv0 are CIDs, of their own version only', () => {
  for (const cid of [V1, V1_DAG_PB]) {
    expect(isCidOfVersion(cid)).toBe(true)
    expect(isCidOfVersion(cid, 1)).toBe(true)
    expect(isCidOfVersion(cid, 0)).toBe(false)
  }
  expect(isCidOfVersion(V0)).toBe(true)
  expect(isCidOfVersion(V0, 0)).toBe(true)
  expect(isCidOfVersion(V0, 1)).toBe(false)
})

test('a CID in another form than its canonical one is refused', () => {
  const base58 = CID.parse(V1).toString(base58btc)
  expect(base58.startsWith('z')).toBe(true)
  expect(isCidOfVersion(base58)).toBe(false)
  expect(isCidOfVersion(V1.toUpperCase())).toBe(false)
  expect(isCidOfVersion(`B${V1.slice(1).toUpperCase()}`)).toBe(false)
  expect(isCidOfVersion(` ${V1}`)).toBe(false)
  expect(isCidOfVersion(`${V1}\n`)).toBe(false)
})

test('text that does not parse is not a CID', () => {
  for (const text of ['', 'bafy', 'Qm', V1.slice(0, -1), `${V1}a`, V0.slice(0, -1), 'not a cid', '<html>', '💥']) {
    expect(isCidOfVersion(text)).toBe(false)
  }
})

test('a CID over 128 characters is refused before it is parsed, even when canonical', () => {
  const longest = cidOfLength(128)
  expect(isCidOfVersion(longest)).toBe(true)
  const tooLong = cidOfLength(129)
  expect(CID.parse(tooLong).toString()).toBe(tooLong)
  expect(isCidOfVersion(tooLong)).toBe(false)
  expect(isCidOfVersion(`b${'a'.repeat(100_000)}`)).toBe(false)
})
