#!/usr/bin/env node
// Screenshots of the job summary for reviewers: sample runs (pins; `pin: false`; 20,000 entries, cut)
// rendered as GitHub renders them, at a wide and a narrow width, in headless Chromium.
// Usage: npx tsx scripts/screenshot-summary.mjs [out-dir]   (tsx: it imports the TypeScript sources)
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DigestTally } from '../src/report/digest.js'
import { summaryMarkdown } from '../src/report/summary.js'
import { sampleRuns } from './summary-samples.mjs'
import { screenshot } from './render-summary.mjs'

/** The digest the action builds of results in entry order. */
function digestOf(results) {
  const tally = new DigestTally()
  for (const result of results) tally.add(result)
  return tally.digest()
}

const out = resolve(process.argv[2] ?? 'summary-screenshots')
mkdirSync(out, { recursive: true })
for (const [name, { results, pin }] of Object.entries(sampleRuns())) {
  const markdown = summaryMarkdown(digestOf(results), {
    pin,
    manifestPath: '/home/runner/work/_temp/numbers-manifest.json'
  })
  writeFileSync(join(out, `${name}.md`), markdown)
  for (const width of [1012, 768]) {
    const png = join(out, `${name}-${width}.png`)
    screenshot(markdown, png, { width, height: name === 'pins' ? 2200 : 1000 })
    console.log(`wrote ${png}`)
  }
}
