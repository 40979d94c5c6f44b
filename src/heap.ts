/**
 * The young generation held at 32 MiB. The runner starts an action as `node dist/index.js`, with no way
 * to pass V8 flags, and Node 24's V8 grows the young generation up to 128 MiB under a stream of
 * short-lived objects (a run over 100,000 files), which was most of such a run's peak RSS. Once it
 * reaches 32 MiB (about where Node 20 stops), it grows no more: V8 reads `--semi-space-growth-factor`
 * each time it would grow it. Measured on 100,000 small files, Node 24: the same time, a peak of 148 MB
 * instead of 203.
 */
import { PerformanceObserver } from 'node:perf_hooks'
import v8 from 'node:v8'

export const YOUNG_GENERATION_CAP = 32 * 2 ** 20

export function capYoungGeneration(cap: number = YOUNG_GENERATION_CAP): void {
  // Checked after each collection, the only time its size changes.
  const observer = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')
    if (!young || young.space_size < cap) return
    v8.setFlagsFromString('--semi-space-growth-factor=1')
    observer.disconnect()
  })
  observer.observe({ entryTypes: ['gc'] })
}
