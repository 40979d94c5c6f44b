/** Types of scripts/readme-tables.mjs, for the tests. */
export type YamlScalar = string | number | boolean | null | Record<string, never> | never[]

export interface ActionMetadata {
  inputs: Record<string, { description?: YamlScalar; required?: YamlScalar; default?: YamlScalar }>
  outputs: Record<string, { description?: YamlScalar; value?: YamlScalar }>
}

export const SECTIONS: readonly ['inputs', 'outputs']
export function parseActionYml(text: string): ActionMetadata
export function renderTables(actionYml: string): { inputs: string; outputs: string }
export function section(readme: string, name: string): string | undefined
export function withTables(readme: string, tables: Record<string, string>): string
