/**
 * Strings from outside (server answers, file names, manifests) made safe to print: control and other
 * invisible characters escaped (`\n`, `\u202e`), so no line of the log can start a workflow command
 * and nothing hides what follows it; and cut to a bound, so a huge answer cannot flood a summary.
 */

// C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and isolates, BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g

/** Whether the string holds a character that `printable` would escape. */
export function hasUnsafeCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0
  return UNSAFE.test(text)
}

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** The string with unsafe characters escaped (`\n`, `\u001b`), cut to `max` characters (with `…`). */
export function printable(text: string, max = 200): string {
  const escaped = text.replace(UNSAFE, c => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped
}

/**
 * A message as it may be printed as plain log lines. The runner reads a line that starts (after
 * whitespace, U+0085 included) with `::` as a workflow command, so such a line is shown behind `> `;
 * it reads the old `##[command]` form anywhere in a line, so every `##[` is shown as `##\[`.
 * Annotations (`core.error`, `warning`, `notice`) escape their own line breaks; plain lines do not.
 */
export function asLogLines(message: string): string {
  return message.replace(/^([\s\u0085]*)::/gm, '$1> ::').replace(/##\[/g, '##\\[')
}
