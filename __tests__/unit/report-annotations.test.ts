import { AnnotationBudget, type AnnotationKind } from '../../src/report/annotations.js'

let annotations: [AnnotationKind, string][]
let lines: string[]
const budget = (perKind?: number): AnnotationBudget =>
  new AnnotationBudget({ annotate: (kind, m) => annotations.push([kind, m]), info: m => lines.push(m) }, perKind)
const of = (kind: AnnotationKind): string[] => annotations.filter(([k]) => k === kind).map(([, m]) => m)

beforeEach(() => {
  annotations = []
  lines = []
})

test('up to ten of a kind are shown as they are, in order', () => {
  const b = budget()
  for (let i = 1; i <= 10; i++) b.add('warning', `w${i}`)
  expect(of('warning')).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9'])
  b.close()
  expect(of('warning')).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10'])
  expect(lines).toEqual([])
})

test('past ten, the rest go to the log and the tenth says how many and where', () => {
  const b = budget()
  for (let i = 1; i <= 25; i++) b.add('notice', `n${i}`)
  b.close()
  const shown = of('notice')
  expect(shown).toHaveLength(10)
  expect(shown.slice(0, 9)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'])
  expect(shown[9]).toBe(
    `16 more notices than GitHub shows as annotations: read them in this step's log, as lines starting "Notice:"`
  )
  expect(lines).toEqual(Array.from({ length: 16 }, (_, i) => `Notice: n${i + 10}`))
})

test('each kind has its own ten', () => {
  const b = budget()
  for (let i = 0; i < 30; i++) b.add((['error', 'warning', 'notice'] as const)[i % 3], `m${i}`)
  b.close()
  for (const kind of ['error', 'warning', 'notice'] as const) expect(of(kind)).toHaveLength(10)
})

test('the failure message is always the last error, with how many more errors there were', () => {
  const b = budget()
  for (let i = 1; i <= 12; i++) b.add('error', `e${i}`)
  b.close('3 of 5 entries failed')
  const errors = of('error')
  expect(errors).toHaveLength(10)
  expect(errors[9]).toBe(
    `3 of 5 entries failed\n(3 more errors than GitHub shows as annotations: read them in this step's log, as lines starting "Error:")`
  )
  expect(lines).toEqual(['Error: e10', 'Error: e11', 'Error: e12'])
})

test('the failure message after nine errors is the tenth; one held error goes to the log, not lost', () => {
  const b = budget()
  for (let i = 1; i <= 10; i++) b.add('error', `e${i}`)
  b.close('failed')
  expect(of('error')).toHaveLength(10)
  expect(of('error')[9]).toMatch(/^failed\n\(1 more error than GitHub shows/)
  expect(lines).toEqual(['Error: e10'])
})

test('a failure alone is one error annotation; nothing else is added', () => {
  const b = budget()
  b.close('Boom')
  expect(annotations).toEqual([['error', 'Boom']])
})

test('close is once; what comes after goes to the log', () => {
  const b = budget(2)
  b.close()
  b.close('ignored')
  b.add('warning', 'late')
  expect(annotations).toEqual([])
  expect(lines).toEqual(['Warning: late'])
})
