/** The merge sub-action's bundle entry (dist/merge/index.js, merge/action.yml): the story is in actions/merge.ts. */
import { run } from '../actions/merge.js'
import { limitHeapGrowth } from '../heap.js'

limitHeapGrowth()
await run()
