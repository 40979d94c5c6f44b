#!/usr/bin/env node
// Renders a job summary (the GITHUB_STEP_SUMMARY file a run wrote) the way GitHub shows it — GFM via
// `marked` — and screenshots it in headless Chromium (Debian package `chromium`) for people to look at.
// Usage: node scripts/render-summary.mjs <summary.md> [out.png]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { marked } from 'marked'

const [input, output = 'summary.png'] = process.argv.slice(2)
if (!input) {
  console.error('usage: node scripts/render-summary.mjs <summary.md> [out.png]')
  process.exit(2)
}
const body = marked.parse(readFileSync(input, 'utf8'), { gfm: true })
const page = `<!doctype html><meta charset="utf-8"><style>
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;margin:24px;color:#1f2328}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}
code{font-family:ui-monospace,monospace;font-size:12px;background:#eff1f3;padding:2px 4px;border-radius:6px}
a{color:#0969da;text-decoration:none}</style><body>${body}</body>`
const dir = mkdtempSync(join(tmpdir(), 'summary-'))
const html = join(dir, 'summary.html')
writeFileSync(html, page)
// Flags keep Chromium off the network (this machine has none) and out of any profile.
execFileSync(
  process.env.CHROMIUM ?? 'chromium',
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
    '--window-size=1400,700',
    `--screenshot=${resolve(output)}`,
    `file://${html}`
  ],
  { stdio: 'ignore' }
)
console.log(`wrote ${resolve(output)}`)
