import { cancelOnSignals } from '../../src/cancellation.js'

function listeners(): { SIGINT: number; SIGTERM: number } {
  return { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }
}

test('the first signal aborts the run and calls onCancel once; the second is absorbed', () => {
  const calls: NodeJS.Signals[] = []
  const cancellation = cancelOnSignals(signal => calls.push(signal))
  try {
    expect(cancellation.signal.aborted).toBe(false)
    process.emit('SIGINT', 'SIGINT')
    expect(cancellation.signal.aborted).toBe(true)
    expect(calls).toEqual(['SIGINT'])
    process.emit('SIGTERM', 'SIGTERM')
    process.emit('SIGINT', 'SIGINT')
    expect(calls).toEqual(['SIGINT'])
  } finally {
    cancellation.dispose()
  }
})

test('SIGTERM alone cancels too', () => {
  const calls: NodeJS.Signals[] = []
  const cancellation = cancelOnSignals(signal => calls.push(signal))
  try {
    process.emit('SIGTERM', 'SIGTERM')
    expect(calls).toEqual(['SIGTERM'])
    expect(cancellation.signal.aborted).toBe(true)
  } finally {
    cancellation.dispose()
  }
})

test('the handlers stay installed after the first signal, so the second cannot kill the process', () => {
  const before = listeners()
  const cancellation = cancelOnSignals(() => {})
  try {
    process.emit('SIGINT', 'SIGINT')
    expect(listeners()).toEqual({ SIGINT: before.SIGINT + 1, SIGTERM: before.SIGTERM + 1 })
  } finally {
    cancellation.dispose()
  }
})

test('dispose removes both handlers, only its own, and is safe to call twice', () => {
  const before = listeners()
  const first = cancelOnSignals(() => {})
  const calls: NodeJS.Signals[] = []
  const second = cancelOnSignals(signal => calls.push(signal))
  expect(listeners()).toEqual({ SIGINT: before.SIGINT + 2, SIGTERM: before.SIGTERM + 2 })
  first.dispose()
  first.dispose()
  expect(listeners()).toEqual({ SIGINT: before.SIGINT + 1, SIGTERM: before.SIGTERM + 1 })
  process.emit('SIGINT', 'SIGINT')
  expect(calls).toEqual(['SIGINT'])
  expect(first.signal.aborted).toBe(false)
  second.dispose()
  expect(listeners()).toEqual(before)
})

test('after dispose a signal no longer reaches the run', () => {
  const calls: NodeJS.Signals[] = []
  const cancellation = cancelOnSignals(signal => calls.push(signal))
  cancellation.dispose()
  // process.emit only calls the listeners: nothing else happens to this process.
  process.emit('SIGTERM', 'SIGTERM')
  expect(calls).toEqual([])
  expect(cancellation.signal.aborted).toBe(false)
})
