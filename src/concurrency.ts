/**
 * A queue that runs at most `limit` tasks at once, in the order they were queued. Once `signal` is
 * aborted, tasks not yet started resolve to undefined without running.
 */
export function limiter(limit: number, signal?: AbortSignal): <T>(task: () => Promise<T>) => Promise<T | undefined> {
  let active = 0
  // A queue read from `head`: Array#shift is O(n), which made 100,000 queued tasks O(n²).
  let waiting: (() => void)[] = []
  let head = 0
  const next = (): void => {
    if (active >= limit || head >= waiting.length) return
    active++
    const start = waiting[head++]
    // Started tasks' slots are dropped once they are half the array, so it never holds them all.
    if (head * 2 >= waiting.length) {
      waiting = waiting.slice(head)
      head = 0
    }
    start()
  }
  return task =>
    new Promise((resolve, reject) => {
      waiting.push(() => {
        const run = signal?.aborted ? Promise.resolve(undefined) : task()
        run.then(resolve, reject).finally(() => {
          active--
          next()
        })
      })
      next()
    })
}

/**
 * Runs `work` over `items` with at most `limit` in flight, keeping results in input order. Items are
 * started as slots free up, so nothing per item is created before it starts. It rejects with the first
 * task's error; the others still run. Once `signal` is aborted, items not yet started stay undefined.
 */
export function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal
): Promise<(R | undefined)[]> {
  const results = new Array<R | undefined>(items.length).fill(undefined)
  return new Promise((resolve, reject) => {
    let next = 0
    let active = 0
    const startMore = (): void => {
      while (active < limit && next < items.length && !signal?.aborted) {
        const index = next++
        active++
        // async: a `work` that throws synchronously rejects like one that rejects.
        void (async () => work(items[index], index))()
          .then(result => {
            results[index] = result
          }, reject)
          .finally(() => {
            active--
            startMore()
          })
      }
      if (active === 0) resolve(results)
    }
    startMore()
  })
}

/**
 * Lets timers and signal handlers run (a progress line, a cancel). Files opened and hashed on this
 * thread are synchronous steps joined by settled promises, which would hold the event loop until all
 * of them are done; each file's work waits for this turn first.
 */
export function nextTurn(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve))
}
