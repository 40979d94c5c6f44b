/**
 * File names are chosen by whoever wrote the commit. A name with a control character can forge log
 * lines (`\n::error::`) or hide what it is; a bidirectional override can make `gpj.exe` read as
 * `exe.jpg`. Such names are refused, and shown escaped wherever they are named.
 */

/** C0 controls, DEL, line and paragraph separators, bidirectional embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g')

export function hasUnsafeCharacters(name: string): boolean {
  return UNSAFE.test(name)
}

/**
 * The name as it may be printed: unchanged when safe, else a JSON string literal (`"a\nb"`) that
 * also escapes DEL and the Unicode separators and overrides JSON leaves as they are.
 */
export function safeName(name: string): string {
  if (!hasUnsafeCharacters(name)) return name
  return JSON.stringify(name).replace(UNSAFE_ALL, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
