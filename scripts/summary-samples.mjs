import { createHash } from 'node:crypto'

// Sample runs for the summary's screenshots and its layout test: names, sizes and ids that are hard
// to lay out (long paths, sizes that round alike, UUID order IDs, a long server error, a mention).

const GATEWAY = 'https://ipfs-pin.numbersprotocol.io/ipfs/'
const NIDS = [
  'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
  'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
  'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'
]
/** A UUID-shaped order ID, different throughout like a real one. */
function order(i) {
  const hex = createHash('sha256').update(String(i)).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** One entry of each kind, in the shape of the `results` output. */
function entry(i, status, extra = {}) {
  const nid = NIDS[i % NIDS.length]
  return {
    source: 'file',
    path: `dist/app-${i}.tar.gz`,
    size: 262_144 + (i % 3) - 1,
    sha256: 'a'.repeat(64),
    nid,
    cidVersion: 1,
    status,
    ...(status === 'pinned' || status === 'already-pinned'
      ? { orderId: order(i), fileUrl: `${GATEWAY}${nid}`, gatewayUrl: `${GATEWAY}${nid}` }
      : {}),
    ...extra
  }
}

export function sampleRuns() {
  const pins = [
    entry(0, 'pinned'),
    entry(1, 'pinned'),
    entry(2, 'already-pinned'),
    entry(3, 'pinned', {
      path: 'build/outputs/release/numbers-protocol-desktop-client-universal-2.14.0-rc.3+build.20260114.dmg',
      size: 187_654_321
    }),
    entry(4, 'pinned', { path: 'dist/@octocat/notes #12.md', size: 999 }),
    entry(5, 'failed', {
      orderId: undefined,
      gatewayUrl: undefined,
      error: `dist/app-5.tar.gz: Pin file to IPFS answered HTTP 502: ${'<html>upstream error '.repeat(40)}`
    }),
    ...Array.from({ length: 20 }, (_, i) =>
      entry(6 + i, i % 4 === 0 ? 'already-pinned' : 'pinned', { size: 2 ** 20 * (i + 1) + i })
    )
  ]
  const nidOnly = Array.from({ length: 12 }, (_, i) => entry(i, 'nid-only', { size: 10 ** (i % 8) + i }))
  const many = Array.from({ length: 20_000 }, (_, i) =>
    entry(
      i,
      i % 400 === 7 ? 'failed' : 'pinned',
      i % 400 === 7 ? { error: `dist/app-${i}.tar.gz: Pin file to IPFS answered HTTP 503 to all 4 attempts` } : {}
    )
  )
  return {
    pins: { results: pins, pin: true },
    'nid-only': { results: nidOnly, pin: false },
    many: { results: many, pin: true }
  }
}
