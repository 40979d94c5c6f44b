export function renderTables(actionYml: string): { inputs: string; outputs: string }
export function withTables(readme: string, tables: Record<string, string>): string
