import type { Db } from '../db/database.js';

/**
 * Every change a tablet must learn of (residents, households, passes, tests, policy, gate checks) is
 * stamped with the compound's next roster version, inside the change's own transaction. A tablet asks for
 * "everything after version N" and gets exactly the rows stamped since.
 */
export async function bumpRosterVersion(tx: Db, compoundId: number): Promise<number> {
  const r = await tx
    .updateTable('compound')
    .set((eb) => ({ rosterVersion: eb('rosterVersion', '+', 1) }))
    .where('id', '=', compoundId)
    .returning('rosterVersion')
    .executeTakeFirstOrThrow();
  return r.rosterVersion;
}
