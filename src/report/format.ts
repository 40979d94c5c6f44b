/** How sizes and table cells are shown in the summary, PR comments, release notes and messages. */

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

/** Escapes text for a GFM table cell: Markdown punctuation, HTML, and the cell's own pipes. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, '\\$&')
    .replace(/\r?\n/g, ' ')
}
