import { recordAudit } from '../audit/queries.js';
import type { PolicyRules } from '../core/policy.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import { currentPolicy, insertPolicyVersion } from './queries.js';

/** A change never edits a version: it stores the next one, so old gate checks keep the rules they were decided under. */
export async function changePolicy(deps: AppDeps, actor: Actor | null, cid: number, input: { rules: PolicyRules; note?: string | undefined }, ip: string) {
  const db = deps.database.db;
  await currentPolicy(db, cid, deps.now()); // version 1 exists before version 2
  const { rules, note } = input;
  const at = deps.now().toISOString();
  const version = await db.transaction().execute(async (tx) => {
    const v = await insertPolicyVersion(tx, cid, rules, at, actor?.kind === 'office' ? actor.user.id : null, note ?? null);
    await recordAudit(tx, { actor, action: 'policy.update', entity: 'policy', entityId: v, compoundId: cid, details: { rules, note }, at, ip });
    return v;
  });
  return { version, rules, note: note ?? null, createdAt: at };
}
