import { recordAudit } from '../audit/queries.js';
import { defaultPolicy } from '../core/policy.js';
import { zonedDate } from '../core/time.js';
import { constraintKind } from '../db/errors.js';
import { AppError, NotFoundError } from '../errors.js';
import type { Actor } from '../auth/actor.js';
import type { AppDeps } from '../deps.js';
import { insertPolicyVersion } from '../policy/queries.js';
import * as q from './queries.js';

export interface CompoundInput {
  name: string;
  timezone?: string | undefined;
}

/** Turn the database's unique and foreign-key refusals into words a manager can act on. */
async function unique<T>(label: 'compound' | q.PlaceTable, name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (constraintKind(err) === 'unique') {
      throw new AppError(409, 'name_taken', { what: label, name: name ?? '' });
    }
    if (constraintKind(err) === 'foreign_key') {
      throw new AppError(409, 'in_use', { what: label });
    }
    throw err;
  }
}

/** A new compound starts with the default policy as version 1, so its first gate check has rules to name. */
export async function createCompound(deps: AppDeps, actor: Actor | null, input: CompoundInput, ip: string): Promise<number> {
  const at = deps.now().toISOString();
  const timezone = input.timezone ?? deps.config.timezone;
  return unique('compound', input.name, () =>
    deps.database.db.transaction().execute(async (tx) => {
      const cid = await q.insertCompound(tx, { name: input.name, timezone, at });
      const by = actor?.kind === 'office' ? actor.user.id : null;
      await insertPolicyVersion(tx, cid, defaultPolicy(zonedDate(deps.now().getTime(), timezone)), at, by, 'default');
      await recordAudit(tx, { actor, action: 'compound.create', entity: 'compound', entityId: cid, compoundId: cid, details: input, at, ip });
      return cid;
    }),
  );
}

export async function updateCompound(deps: AppDeps, actor: Actor | null, cid: number, patch: Partial<CompoundInput>, ip: string): Promise<void> {
  const db = deps.database.db;
  await q.getCompound(db, cid);
  const at = deps.now().toISOString();
  await unique('compound', patch.name, () =>
    db.transaction().execute(async (tx) => {
      await q.updateCompound(tx, cid, patch, at);
      await recordAudit(tx, { actor, action: 'compound.update', entity: 'compound', entityId: cid, compoundId: cid, details: patch, at, ip });
    }),
  );
}

type PlaceBody = Record<string, unknown> & { name?: string };

// A place's change and its audit row commit together: no row for a change that did not happen, and no
// change without its row.

export async function addPlace(deps: AppDeps, actor: Actor | null, table: q.PlaceTable, cid: number, body: PlaceBody & { name: string }, ip: string): Promise<number> {
  const db = deps.database.db;
  await q.getCompound(db, cid);
  const at = deps.now().toISOString();
  return unique(table, body.name, () =>
    db.transaction().execute(async (tx) => {
      const id = await q.insertPlace(tx, table, { ...body, compoundId: cid, createdAt: at, updatedAt: at });
      await recordAudit(tx, { actor, action: `${table}.create`, entity: table, entityId: id, compoundId: cid, details: body, at, ip });
      return id;
    }),
  );
}

export async function changePlace(deps: AppDeps, actor: Actor | null, table: q.PlaceTable, cid: number, id: number, body: PlaceBody, ip: string): Promise<void> {
  const db = deps.database.db;
  if (!(await q.getPlace(db, table, cid, id))) throw new NotFoundError(table);
  const at = deps.now().toISOString();
  await unique(table, body.name, () =>
    db.transaction().execute(async (tx) => {
      await q.updatePlace(tx, table, cid, id, { ...body, updatedAt: at });
      await recordAudit(tx, { actor, action: `${table}.update`, entity: table, entityId: id, compoundId: cid, details: body, at, ip });
    }),
  );
}

/** Only a place nothing refers to yet can go; the foreign keys say which. */
export async function removePlace(deps: AppDeps, actor: Actor | null, table: q.PlaceTable, cid: number, id: number, ip: string): Promise<void> {
  const db = deps.database.db;
  if (!(await q.getPlace(db, table, cid, id))) throw new NotFoundError(table);
  const at = deps.now().toISOString();
  await unique(table, undefined, () =>
    db.transaction().execute(async (tx) => {
      await q.deletePlace(tx, table, cid, id);
      await recordAudit(tx, { actor, action: `${table}.delete`, entity: table, entityId: id, compoundId: cid, at, ip });
    }),
  );
}
