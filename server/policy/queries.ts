import { getCompound } from '../compounds/queries.js';
import { defaultPolicy, type PolicyRules, PolicyRulesSchema } from '../core/policy.js';
import { zonedDate } from '../core/time.js';
import { constraintKind } from '../db/errors.js';
import type { Db } from '../db/database.js';
import { bumpRosterVersion } from '../roster/version.js';

export interface PolicyVersion {
  version: number;
  rules: PolicyRules;
  note: string | null;
  createdAt: string;
  createdBy: number | null;
}

function parse(row: { version: number; rules: string; note: string | null; createdAt: string; createdBy: number | null }): PolicyVersion {
  // Through the schema: a version stored before a rule existed reads with that rule's default.
  return { ...row, rules: PolicyRulesSchema.parse(JSON.parse(row.rules)) };
}

/** Store a new version of a compound's policy; tablets learn of it with their next roster. */
export async function insertPolicyVersion(tx: Db, compoundId: number, rules: PolicyRules, at: string, by: number | null, note: string | null): Promise<number> {
  const last = await tx.selectFrom('policy').select((eb) => eb.fn.max('version').as('v')).where('compoundId', '=', compoundId).executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  await tx.insertInto('policy').values({ compoundId, version, rules: JSON.stringify(rules), note, createdAt: at, createdBy: by }).execute();
  await bumpRosterVersion(tx, compoundId);
  return version;
}

/**
 * The compound's current policy. A compound that has none yet gets the default as version 1, stored, so
 * that every gate check can name the version it was decided under.
 */
export async function currentPolicy(db: Db, compoundId: number, now: Date): Promise<PolicyVersion> {
  const row = await db
    .selectFrom('policy')
    .select(['version', 'rules', 'note', 'createdAt', 'createdBy'])
    .where('compoundId', '=', compoundId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row) return parse(row);
  const compound = await getCompound(db, compoundId);
  const rules = defaultPolicy(zonedDate(Date.parse(compound.createdAt), compound.timezone));
  try {
    await db.insertInto('policy').values({ compoundId, version: 1, rules: JSON.stringify(rules), note: 'default', createdAt: now.toISOString(), createdBy: null }).execute();
  } catch (err) {
    if (constraintKind(err) !== 'unique') throw err; // someone else stored it first
  }
  return currentPolicy(db, compoundId, now);
}

export async function policyVersions(db: Db, compoundId: number): Promise<PolicyVersion[]> {
  const rows = await db
    .selectFrom('policy')
    .select(['version', 'rules', 'note', 'createdAt', 'createdBy'])
    .where('compoundId', '=', compoundId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(parse);
}

/** Every version of a compound's policy by number (for deciding old records under their own rules). */
export async function policyByVersion(db: Db, compoundId: number): Promise<Map<number, PolicyRules>> {
  return new Map((await policyVersions(db, compoundId)).map((p) => [p.version, p.rules]));
}
