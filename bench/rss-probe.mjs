// Preloaded with `node --import`: records the process's peak RSS (bytes) when it exits.
// VmHWM is this program's own high-water mark; getrusage's maxrss would also count the parent's
// memory, which Linux carries over from fork through exec.
import { readFileSync, writeFileSync } from 'node:fs'

function peakRss() {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (kib) return Number(kib[1]) * 1024
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024
}

process.on('exit', () => {
  if (process.env.RSS_FILE) writeFileSync(process.env.RSS_FILE, String(peakRss()))
})
