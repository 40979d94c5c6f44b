/** Types of scripts/readme-tables.mjs, for the tests. */
export interface ActionMetadata {
  inputs: Record<string, { description?: unknown; required?: unknown; default?: unknown }>
  outputs: Record<string, { description?: unknown; value?: unknown }>
}

export const ACTIONS: readonly { actionYml: string; prefix: string }[]
export function parseActionYml(text: string): ActionMetadata
export function renderTables(actionYml: string, prefix?: string): Record<string, string>
export function section(readme: string, name: string): string | undefined
export function withTables(readme: string, tables: Record<string, string>): string
