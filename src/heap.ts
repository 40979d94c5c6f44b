/**
 * The heap kept near what the run holds. The runner starts an action as `node dist/index.js`, with no
 * way to pass V8 flags, and V8 sizes its heap for throughput: over 100,000 files Node 24 grew the young
 * generation to 128 MiB and the old one to three times what was alive, most of such a run's peak RSS.
 * Both flags below are read by V8 each time it sizes a space, so setting them at start-up takes effect:
 * - the young generation grows no more once it reaches 32 MiB (about where Node 20 stops);
 * - the old generation grows by half of what survives a collection, not up to four times it.
 * Measured on Node 24 (same time): 100,000 small files with `pin: false` peak at 148 MB instead of 203;
 * 100,000 pins at 192 MB instead of 282.
 */
import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

export const YOUNG_GENERATION_CAP = 32 * 2 ** 20

export function limitHeapGrowth(youngCap: number = YOUNG_GENERATION_CAP): void {
  v8.setFlagsFromString('--heap-growing-percent=50')
  // The young generation starts small and must grow to its cap (held at 1 MiB, scavenges would promote
  // too much): its size is checked after each collection, the only time it changes.
  const observer = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')
    if (!young || young.space_size < youngCap) return
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({ entryTypes: ['gc'] })
}
