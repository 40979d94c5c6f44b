#!/usr/bin/env node
// Renders a job summary the way GitHub shows it — GFM through `marked`, styled by github-markdown-css
// (GitHub's own Markdown CSS) at the width of a job summary — in headless Chromium (Debian package
// `chromium`): a screenshot for people, and the layout of the table's cells for tests.
// Usage: node scripts/render-summary.mjs <summary.md> [out.png] [width]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { marked } from 'marked'

/** Width of a job summary's Markdown on a 1280-pixel-wide window. */
export const SUMMARY_WIDTH = 1012

/** The Chromium binary: $CHROMIUM, or Debian's; undefined when neither is installed. */
export function findChromium() {
  for (const candidate of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate
  }
  return undefined
}

const css = readFileSync(
  createRequire(import.meta.url).resolve('github-markdown-css/github-markdown-light.css'),
  'utf8'
)

/**
 * For each body cell of each table: its column's header, its text and how many lines it takes, written
 * into the page as JSON (read back by `cellLayout` through --dump-dom).
 */
const measure = `<script>
addEventListener('load', () => {
  const cells = []
  for (const table of document.querySelectorAll('table')) {
    const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim())
    for (const row of table.querySelectorAll('tbody tr')) {
      ;[...row.children].forEach((cell, i) => {
        // Lines of text: the tops of the text's boxes, 8 px apart or more (inline code is padded).
        const tops = []
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT)
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const range = document.createRange()
          range.selectNodeContents(node)
          for (const rect of range.getClientRects()) if (rect.width > 0) tops.push(rect.top)
        }
        tops.sort((a, b) => a - b)
        const lines = tops.filter((top, j) => j === 0 || top - tops[j - 1] >= 8).length
        cells.push({ column: headers[i], text: cell.textContent, lines })
      })
    }
  }
  const out = document.createElement('pre')
  out.id = 'layout'
  out.textContent = JSON.stringify(cells)
  document.body.append(out)
})
</script>`

/** The page GitHub would show for `markdown`, `width` pixels wide. */
export function summaryPage(markdown, width = SUMMARY_WIDTH, script = '') {
  const body = marked.parse(markdown, { gfm: true, async: false })
  return `<!doctype html><meta charset="utf-8"><style>${css}
body{margin:0;background:#fff}.markdown-body{box-sizing:border-box;width:${width}px;padding:16px 24px}</style>
<body><article class="markdown-body">${body}</article>${script}</body>`
}

/** Runs Chromium on `html` (off the network, in a fresh profile) with `flags`; returns its stdout. */
function chromium(html, flags) {
  const binary = findChromium()
  if (!binary) throw new Error('chromium is not installed (apt-get install -y chromium, or set CHROMIUM)')
  const dir = mkdtempSync(join(tmpdir(), 'summary-'))
  try {
    const page = join(dir, 'summary.html')
    writeFileSync(page, html)
    return execFileSync(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--hide-scrollbars',
        ...flags,
        pathToFileURL(page).href
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 2 ** 20 }
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Writes a PNG of `markdown` rendered at `width` pixels, `height` pixels tall. */
export function screenshot(markdown, output, { width = SUMMARY_WIDTH, height = 900 } = {}) {
  chromium(summaryPage(markdown, width), [`--window-size=${width},${height}`, `--screenshot=${resolve(output)}`])
}

/** Every table cell of `markdown` rendered at `width`: its column, text and number of lines. */
export function cellLayout(markdown, width = SUMMARY_WIDTH) {
  const dom = chromium(summaryPage(markdown, width, measure), [`--window-size=${width},900`, '--dump-dom'])
  const json = /<pre id="layout">([\s\S]*?)<\/pre>/.exec(dom)?.[1]
  if (json === undefined) throw new Error('chromium did not report the layout')
  return JSON.parse(
    json
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [input, output = 'summary.png', width] = process.argv.slice(2)
  if (!input) {
    console.error('usage: node scripts/render-summary.mjs <summary.md> [out.png] [width]')
    process.exit(2)
  }
  screenshot(readFileSync(input, 'utf8'), output, { width: Number(width) || SUMMARY_WIDTH })
  console.log(`wrote ${resolve(output)}`)
}
