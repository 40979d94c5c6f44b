import { CID } from 'multiformats/cid'

/** The longest CID string accepted from outside; a Nid is 59 characters, a CIDv0 46. */
const MAX_CID = 128

/** Whether `text` is a CID in its canonical string form (of `version`, when given). */
export function isCidOfVersion(text: string, version?: 0 | 1): boolean {
  if (text.length > MAX_CID) return false
  try {
    const cid = CID.parse(text)
    return cid.toString() === text && (version === undefined || cid.version === version)
  } catch {
    return false
  }
}
