/**
 * A queue that runs at most `limit` tasks at once, in the order they were queued. Once `signal` is
 * aborted, tasks not yet started resolve to undefined without running.
 */
export function limiter(limit: number, signal?: AbortSignal): <T>(task: () => Promise<T>) => Promise<T | undefined> {
  let active = 0
  const waiting: (() => void)[] = []
  const next = (): void => {
    if (active < limit && waiting.length > 0) {
      active++
      waiting.shift()?.()
    }
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

/** Runs `work` over `items` with at most `limit` in flight, keeping results in input order. */
export function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal
): Promise<(R | undefined)[]> {
  const run = limiter(limit, signal)
  return Promise.all(items.map((item, index) => run(() => work(item, index))))
}
