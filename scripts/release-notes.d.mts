/** Types of scripts/release-notes.mjs, for the tests. */
export function releaseNotes(changelog: string, version: string): string | undefined
