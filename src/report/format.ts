/** How sizes, ids and table cells are shown in the summary, PR comments, release notes and messages. */

const NBSP = '\u00a0'

/** A size rounded to its unit, e.g. `256.0 KiB` (a plain space; see `sizeCell` for tables). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = -1
  const shown = (v: number): string => v.toFixed(v < 10 ? 2 : 1)
  do {
    value /= 1024
    unit++
    // Judged after rounding, so 1048575 B reads 1.00 MiB, not 1024.0 KiB.
  } while (Number(shown(value)) >= 1024 && unit < units.length - 1)
  return `${shown(value)} ${units[unit]}`
}

/** A count with thousands separators, the same on every machine: 262144 → `262,144`. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Exact bytes: `262,144 bytes`. */
export function exactBytes(bytes: number): string {
  return `${formatCount(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`
}

/**
 * Two sizes to compare in a message ("is A, over B"): rounded, unless rounding makes different sizes
 * read the same (`25.0 MiB, over 25.0 MiB`); then both in exact bytes.
 */
export function formatBytesApart(a: number, b: number): [string, string] {
  const [x, y] = [formatBytes(a), formatBytes(b)]
  return x === y && a !== b ? [exactBytes(a), exactBytes(b)] : [x, y]
}

/**
 * A text cut to at most `max` characters, ending with `…` when cut (never splitting a surrogate
 * pair): what servers and file names say can be any length.
 */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = max - 1
  const last = text.charCodeAt(cut - 1)
  if (last >= 0xd800 && last <= 0xdbff) cut--
  return `${text.slice(0, cut)}…`
}

/** `bafkrei…x5rm`: enough of an id to tell it apart at a glance. */
export function shortId(id: string): string {
  return id.length <= 14 ? id : `${id.slice(0, 7)}…${id.slice(-4)}`
}

/** An id safe to put in a URL and an attribute as is (CIDs, hex digests): letters and digits only. */
export function isPlainId(id: string): boolean {
  return /^[A-Za-z0-9]{1,128}$/.test(id)
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * Keeps `@name` and `#123` in text from mentioning a user or linking an issue when GitHub renders it
 * (PR comments, release notes): a zero-width space after the sign.
 */
export function unmention(text: string): string {
  return text.replace(/([@#])(?=[A-Za-z0-9])/g, '$1\u200b')
}

/** Escapes text for a GFM table cell: Markdown punctuation, HTML, the cell's own pipes, mentions. */
export function escapeMarkdown(text: string): string {
  return unmention(
    text
      .replace(/&/g, '&amp;')
      .replace(/[\\`*_{}[\]()#+!|<>~]/g, '\\$&')
      .replace(/\r?\n|\r/g, ' ')
  )
}

/** Spaces that do not break: a table cell such as `256.0 KiB` or `already pinned` stays on one line. */
export function unbroken(text: string): string {
  return text.replace(/ /g, NBSP)
}
