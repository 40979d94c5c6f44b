// Preloaded with `node --import`: records the process's peak RSS (bytes) when it exits.
import { writeFileSync } from 'node:fs'

process.on('exit', () => {
  if (process.env.RSS_FILE) writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS * 1024))
})
