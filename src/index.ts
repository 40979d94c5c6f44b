/** The pin action's bundle entry (dist/index.js): the story of a run is in actions/pin.ts. */
import { run } from './actions/pin.js'
import { limitHeapGrowth } from './heap.js'

limitHeapGrowth()
await run()
