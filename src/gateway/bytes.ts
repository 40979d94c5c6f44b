/**
 * Proves a Nid from the file's plain bytes, for a gateway that answers a CAR request with the file
 * itself: the Nid is recomputed from the bytes with the parameters that made it (src/nid/dag.ts, Kubo's
 * defaults), streaming through one reused chunk buffer.
 *
 * What this proves: the bytes sent are the file whose Nid this is. It relies on the Nid having been
 * made with these parameters, true of every Nid this action writes; a Nid made otherwise (other
 * chunking) would be reported corrupt although its bytes are right.
 */
import type { CID } from 'multiformats/cid'
import { CHUNK_SIZE } from '../constants.js'
import { BalancedDag } from '../nid/dag.js'
import { verdict, type Verdict } from './verdict.js'

/** Recomputes the Nid of the streamed bytes; a failure of `body` itself is thrown for the retry loop. */
export async function proveBytes(root: CID, body: AsyncIterable<Uint8Array>): Promise<Verdict> {
  const dag = new BalancedDag(root.version)
  // The DAG hashes each chunk as it is added and keeps none, so one buffer serves every chunk.
  const chunk = new Uint8Array(CHUNK_SIZE)
  let filled = 0
  let size = 0
  for await (const data of body) {
    size += data.length
    for (let offset = 0; offset < data.length;) {
      const taken = Math.min(CHUNK_SIZE - filled, data.length - offset)
      chunk.set(data.subarray(offset, offset + taken), filled)
      filled += taken
      offset += taken
      if (filled === CHUNK_SIZE) {
        dag.addChunk(chunk)
        filled = 0
      }
    }
  }
  // The last, partial chunk; an empty file is one empty chunk, as in Kubo.
  if (filled > 0 || size === 0) dag.addChunk(chunk.subarray(0, filled))
  const computed = dag.root()
  return computed.equals(root)
    ? verdict('verified', `whole file: ${size} bytes whose recomputed Nid is this one`)
    : verdict('corrupt', `the gateway's ${size} bytes have Nid ${computed}, not this one: they are not the file`)
}
