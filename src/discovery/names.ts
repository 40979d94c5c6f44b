/**
 * File names are chosen by whoever wrote the commit. A name with a control character can forge log
 * lines (`\n::error::`) or hide what it is; a bidirectional override can make `gpj.exe` read as
 * `exe.jpg`. Such names are refused, and shown escaped wherever they are named.
 */
import { hasUnsafeCharacters, printable } from '../safe-text.js'

export { hasUnsafeCharacters } from '../safe-text.js'

/** The name as it may be printed: unchanged when safe, else quoted with every unsafe character escaped (`"a\nb"`). */
export function safeName(name: string): string {
  if (!hasUnsafeCharacters(name)) return name
  return `"${printable(name.replace(/["\\]/g, '\\$&'), Infinity)}"`
}
