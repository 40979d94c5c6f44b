/**
 * The runner cancels a step with SIGINT, then SIGTERM 7.5 s later. On the first signal the run is
 * aborted (no new work starts) and `onCancel` records what finished; the handlers stay installed, so
 * the second signal cannot kill the process mid-write.
 */
export interface Cancellation {
  signal: AbortSignal
  /** Removes the handlers once the run has finished normally. */
  dispose(): void
}

export function cancelOnSignals(onCancel: (signal: NodeJS.Signals) => void): Cancellation {
  const controller = new AbortController()
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    controller.abort()
    onCancel(signal)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler)
      process.removeListener('SIGTERM', handler)
    }
  }
}
