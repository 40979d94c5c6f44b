/** The verify action's bundle entry (dist/verify/index.js): the story of a run is in actions/verify.ts. */
import { run } from '../actions/verify.js'
import { limitHeapGrowth } from '../heap.js'

limitHeapGrowth()
await run()
