import { type Asker, recordAudit } from '../audit/queries.js';
import type { AppDeps } from '../deps.js';

/**
 * An export is written to the audit log before its first byte leaves: one line per compound exported, so
 * each compound's log shows every export of its data (one with no compound when the scope held none).
 */
export async function auditExport(deps: AppDeps, asker: Asker, dataset: string, compounds: { id: number }[], o: { format: string; from: string; to: string; lang: string }): Promise<void> {
  const at = deps.now().toISOString();
  const details = { dataset, format: o.format, from: o.from, to: o.to, compoundIds: compounds.map((x) => x.id), lang: o.lang };
  await deps.database.db.transaction().execute(async (tx) => {
    for (const compound of compounds.length ? compounds : [null]) {
      await recordAudit(tx, { actor: asker.actor, action: 'export', entity: 'export', entityId: dataset, compoundId: compound?.id ?? null, details, ip: asker.ip, at });
    }
  });
}
