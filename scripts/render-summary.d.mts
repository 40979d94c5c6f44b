/** Types of scripts/render-summary.mjs, for the tests. */
export const SUMMARY_WIDTH: number
export function findChromium(): string | undefined
export function summaryPage(markdown: string, width?: number, script?: string): string
export function screenshot(markdown: string, output: string, options?: { width?: number; height?: number }): void
export interface CellLayout {
  column: string
  text: string
  lines: number
}
export function cellLayout(markdown: string, width?: number): CellLayout[]
