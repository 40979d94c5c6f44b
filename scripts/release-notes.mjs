#!/usr/bin/env node
// `node scripts/release-notes.mjs v1.2.3`: prints CHANGELOG.md's section for that version, the release's
// notes; exits 1 if the tag is not `vX.Y.Z`, is not package.json's version, or has no section.
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The body of `## [version] - date` up to the next `## ` heading or the link references, trimmed. */
export function releaseNotes(changelog, version) {
  const lines = changelog.split('\n')
  const start = lines.findIndex(line => line.startsWith(`## [${version}]`))
  if (start === -1) return undefined
  let end = lines.findIndex((line, i) => i > start && (line.startsWith('## ') || /^\[[^\]]+\]: /.test(line)))
  if (end === -1) end = lines.length
  return lines
    .slice(start + 1, end)
    .join('\n')
    .trim()
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const tag = process.argv[2] ?? ''
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version
  const fail = message => {
    console.error(`release-notes: ${message}`)
    process.exit(1)
  }
  if (!/^v\d+\.\d+\.\d+$/.test(tag)) fail(`the tag '${tag}' is not vMAJOR.MINOR.PATCH`)
  if (tag !== `v${version}`) fail(`the tag ${tag} is not package.json's version ${version}: bump it first`)
  const notes = releaseNotes(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), version)
  if (!notes) fail(`CHANGELOG.md has no '## [${version}]' section with notes: move Unreleased's there`)
  console.log(notes)
}
