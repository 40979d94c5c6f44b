import { InputError, PreflightError } from '../errors.js'

/** Reads one input's raw value ('' when unset), e.g. `core.getInput`. */
export type InputReader = (name: string) => string

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30
}

/** Parses `25MiB`, `25 MB`, `1.5GiB` or plain bytes into a whole number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  if (!match) return undefined
  const factor = SIZE_UNITS[(match[2] || 'b').toLowerCase()]
  if (factor === undefined) return undefined
  const bytes = Math.floor(Number(match[1]) * factor)
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined
}

/** Splits a multi-line input into its non-empty, trimmed lines. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '')
}

export function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

export interface IntegerLimit {
  min: number
  max: number
  fallback: number
}

/**
 * Typed readers over one action's inputs. Each records a problem instead of throwing, so that one
 * failed run lists everything to fix.
 */
export function inputReaders<Name extends string>(read: (name: Name) => string) {
  const problems: InputError[] = []
  const fail = (input: Name, message: string): void => {
    problems.push(new InputError(input, message))
  }

  const boolean = (input: Name, fallback: boolean): boolean => {
    const raw = read(input).trim()
    if (raw === '') return fallback
    if (/^(true|True|TRUE)$/.test(raw)) return true
    if (/^(false|False|FALSE)$/.test(raw)) return false
    fail(input, `'${raw}' is not a boolean; use true or false`)
    return fallback
  }

  const choice = <T extends string>(input: Name, allowed: readonly T[], fallback: T): T => {
    const raw = read(input).trim()
    if (raw === '') return fallback
    if ((allowed as readonly string[]).includes(raw)) return raw as T
    fail(input, `'${raw}' is not one of ${allowed.join(', ')}`)
    return fallback
  }

  const integer = (input: Name, { min, max, fallback }: IntegerLimit): number => {
    const raw = read(input).trim()
    if (raw === '') return fallback
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN
    if (!(value >= min && value <= max)) {
      fail(input, `'${raw}' must be a whole number from ${min} to ${max}`)
      return fallback
    }
    return value
  }

  const endpoint = (input: Name, fallback: string): string => {
    const raw = read(input).trim() || fallback
    if (!httpUrl(raw)) fail(input, `'${raw}' is not an http(s) URL`)
    return raw
  }

  /** Throws every recorded problem at once (a PreflightError when there are several). */
  const done = (): void => {
    if (problems.length === 1) throw problems[0]
    if (problems.length > 1) throw new PreflightError(problems, `${problems.length} inputs need fixing`)
  }

  return { read, fail, boolean, choice, integer, endpoint, done }
}
