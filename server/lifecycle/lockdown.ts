import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { recordAudit } from '../audit/queries.js';
import type { Actor } from '../auth/actor.js';
import { uuidv7 } from '../core/uuid.js';
import type { SignedCertificate } from '../core/certificate.js';
import { breathe } from '../db/breathe.js';
import type { Db } from '../db/database.js';
import type { AppDeps } from '../deps.js';
import { AppError, NotFoundError, ValidationError, fieldIssue } from '../errors.js';
import { revokeDevice } from '../devices/service.js';
import { signCertificate } from './certificate.js';
import { type PurgeReport, PURGE_BATCH, purgeGateChecks, purgePhotos, purgeTestResults } from './retention.js';
import { inSqliteWorker } from './sqlite-worker.js';

/**
 * The end of a compound's (or the whole district's) epidemic-control period: its personal data is deleted
 * (residents' names and phones, households' rooms, passes, test results, gate checks with their codes and
 * visitors, photos), the anonymous aggregates and the audit trail stay (the audit rows' personal fields
 * are redacted: the one exception to the log's append-only rule, made here and only here), the backups the
 * server manages are deleted, and a signed deletion certificate is issued.
 *
 * On SQLite the deletions run with secure_delete on (freed cells are overwritten with zeros), and then a
 * VACUUM and a WAL checkpoint (TRUNCATE) run in a worker thread, so none of the deleted bytes stay in the
 * database file or its WAL.
 */

/** What the admin types to end the whole district's period. */
export const DISTRICT_CONFIRMATION = '全部小区';

/** Audit actions whose details hold a person's data, and the fields to redact. */
const PERSONAL_AUDIT: Record<string, string[]> = {
  'resident.create': ['name', 'phone', 'note', 'room', 'unit'],
  'resident.update': ['name', 'phone', 'note', 'room', 'unit'],
  'household.quarantine': ['note'],
  'gate_check.override': ['name', 'personName', 'visitor'],
  'exemption.set': ['note'],
  'alert.positive': ['unit', 'room'],
};
export const REDACTED = '[已删除]';

async function inBatches(db: Db, ids: () => Promise<number[]>, remove: (tx: Db, ids: number[]) => Promise<void>): Promise<number> {
  let n = 0;
  for (;;) {
    const batch = await ids();
    if (!batch.length) return n;
    await db.transaction().execute((tx) => remove(tx, batch));
    n += batch.length;
    await breathe();
  }
}

/** Redact the personal fields of a compound's audit rows (null: every compound's), keeping who did what when. */
async function redactAudit(db: Db, compoundId: number | null): Promise<number> {
  let redacted = 0;
  let after = 0;
  for (;;) {
    let q = db.selectFrom('auditLog').select(['id', 'action', 'details']).where('action', 'in', Object.keys(PERSONAL_AUDIT)).where('id', '>', after).orderBy('id').limit(PURGE_BATCH);
    if (compoundId !== null) q = q.where('compoundId', '=', compoundId);
    const rows = await q.execute();
    if (!rows.length) return redacted;
    await db.transaction().execute(async (tx) => {
      // The one way past the log's append-only trigger (migration 0006): a row of audit_redaction in this
      // transaction, removed before it commits.
      await sql`insert into audit_redaction (id) values (1)`.execute(tx);
      for (const r of rows) {
        if (!r.details) continue;
        const d = JSON.parse(r.details) as Record<string, unknown>;
        let changed = false;
        for (const k of PERSONAL_AUDIT[r.action] ?? []) {
          if (k in d && d[k] !== null && d[k] !== REDACTED) {
            d[k] = REDACTED;
            changed = true;
          }
        }
        if (changed) {
          await tx.updateTable('auditLog').set({ details: JSON.stringify(d) }).where('id', '=', r.id).execute();
          redacted++;
        }
      }
      await sql`delete from audit_redaction`.execute(tx);
    });
    after = rows[rows.length - 1]!.id;
    await breathe();
  }
}

/** Delete one compound's personal data; returns the counts. */
async function deletePersonalData(deps: AppDeps, c: { id: number; timezone: string }) {
  const db = deps.database.db;
  const report: PurgeReport = {
    counts: { gateChecks: 0, visitors: 0, photos: 0, testResults: 0, disinfectionRecords: 0, shifts: 0 },
    ranges: {},
    keepsFrom: { gateDays: '', photoDays: '', testDays: '', recordDays: '' },
  };
  const END = '9999-12-31T23:59:59.999Z';
  // Gate checks and test results go through the retention purge (folded into the aggregates first).
  await purgeGateChecks(db, c, END, report);
  await purgeTestResults(db, c, END, report, deps.now().toISOString());
  await purgePhotos(db, c.id, END, report);
  // What refers to passes and residents goes first: phones bound to passes (their keys and activation
  // links), testing exemptions (a note about the person) and positive alerts (name and room).
  await db.deleteFrom('phoneBinding').where('compoundId', '=', c.id).execute();
  await db.deleteFrom('phoneActivation').where('compoundId', '=', c.id).execute();
  await db.deleteFrom('testExemption').where('compoundId', '=', c.id).execute();
  await db.deleteFrom('alert').where('compoundId', '=', c.id).execute();
  const passes = await inBatches(
    db,
    async () => (await db.selectFrom('pass').select('id').where('compoundId', '=', c.id).limit(PURGE_BATCH).execute()).map((r) => r.id),
    async (tx, ids) => void (await tx.deleteFrom('pass').where('id', 'in', ids).execute()),
  );
  const residents = await inBatches(
    db,
    async () => (await db.selectFrom('resident').select('id').where('compoundId', '=', c.id).limit(PURGE_BATCH).execute()).map((r) => r.id),
    async (tx, ids) => void (await tx.deleteFrom('resident').where('id', 'in', ids).execute()),
  );
  const households = await inBatches(
    db,
    async () => (await db.selectFrom('household').select('id').where('compoundId', '=', c.id).limit(PURGE_BATCH).execute()).map((r) => r.id),
    async (tx, ids) => void (await tx.deleteFrom('household').where('id', 'in', ids).execute()),
  );
  // A round's row-by-row import report names people: the round keeps its name and counts.
  const rounds = await db.selectFrom('testRound').select(['id', 'report']).where('compoundId', '=', c.id).execute();
  for (const r of rounds) {
    const rep = JSON.parse(r.report) as Record<string, unknown>;
    await db.updateTable('testRound').set({ report: JSON.stringify({ ...rep, rows: [] }) }).where('id', '=', r.id).execute();
  }
  return {
    residents,
    households,
    passes,
    testResults: report.counts.testResults,
    gateChecks: report.counts.gateChecks,
    visitors: report.counts.visitors,
    photos: report.counts.photos,
    from: report.ranges.gateChecks?.from ?? null,
  };
}

/** Delete the backups the server made (they hold the deleted data); those it cannot reach are listed. */
async function deleteManagedBackups(deps: AppDeps): Promise<{ deleted: string[]; unreachable: string[] }> {
  const db = deps.database.db;
  const rows = await db.selectFrom('backup').select(['id', 'file']).where('deletedAt', 'is', null).execute();
  const deleted: string[] = [];
  const unreachable: string[] = [];
  for (const r of rows) {
    try {
      if (!fs.existsSync(r.file)) throw new Error('missing');
      fs.rmSync(r.file);
      await db.updateTable('backup').set({ deletedAt: deps.now().toISOString() }).where('id', '=', r.id).execute();
      deleted.push(path.basename(r.file));
    } catch {
      unreachable.push(r.file);
    }
  }
  return { deleted, unreachable };
}

/** Make the deletions unrecoverable from the database file (SQLite) or as far as PostgreSQL allows. */
export async function compactDatabase(deps: AppDeps): Promise<void> {
  const { database } = deps;
  if (database.kind === 'sqlite' && database.file) {
    await inSqliteWorker('vacuum', database.file);
  } else if (database.kind === 'postgres') {
    // Outside a transaction: marks the dead rows' space reusable (see the README for what it does not guarantee).
    await sql`vacuum`.execute(database.db);
  }
}

export async function endLockdown(deps: AppDeps, asker: { actor: Actor | null; ip: string }, input: { compoundId: number | null; confirm: string }): Promise<{ certificate: SignedCertificate }> {
  const actor = asker.actor;
  if (actor?.kind !== 'office' || actor.user.role !== 'admin') throw new AppError(403, 'forbidden');
  const db = deps.database.db;
  const all = await db.selectFrom('compound').select(['id', 'name', 'timezone', 'createdAt', 'lockdownEndedAt']).orderBy('id').execute();
  const targets = input.compoundId === null ? all.filter((c) => !c.lockdownEndedAt) : all.filter((c) => c.id === input.compoundId);
  const one = input.compoundId === null ? null : targets[0];
  if (input.compoundId !== null && !one) throw new NotFoundError('compound');
  const expected = one ? one.name : DISTRICT_CONFIRMATION;
  if (input.confirm.trim() !== expected) throw new ValidationError([fieldIssue('confirm', 'confirm_name', { name: expected })]);
  if (one?.lockdownEndedAt) throw new AppError(409, 'lockdown_already_ended');

  const sqlite = deps.database.kind === 'sqlite' ? deps.database.sqlite : undefined;
  sqlite?.pragma('secure_delete = ON');
  const totals: Record<string, number> = { residents: 0, households: 0, passes: 0, testResults: 0, gateChecks: 0, visitors: 0, photos: 0, tabletsRevoked: 0, auditRowsRedacted: 0 };
  let from: string | null = null;
  try {
    for (const c of targets) {
      // The compound's tablets first: no new personal record arrives while (or after) it is deleted, and a
      // revoked tablet wipes its own copy of the roster (names, rooms) the next time it reaches the server.
      const tablets = await db.selectFrom('device').select('id').where('compoundId', '=', c.id).where('revokedAt', 'is', null).execute();
      for (const d of tablets) await revokeDevice(deps, actor, c.id, d.id, asker.ip);
      totals.tabletsRevoked! += tablets.length;
      const d = await deletePersonalData(deps, c);
      for (const k of ['residents', 'households', 'passes', 'testResults', 'gateChecks', 'visitors', 'photos'] as const) totals[k]! += d[k];
      const start = d.from && d.from < c.createdAt ? d.from : c.createdAt;
      if (!from || start < from) from = start;
      await db.updateTable('compound').set({ lockdownEndedAt: deps.now().toISOString() }).where('id', '=', c.id).execute();
    }
    totals.auditRowsRedacted = await redactAudit(db, one ? one.id : null);
    const backups = await deleteManagedBackups(deps);
    const id = uuidv7(deps.now().getTime());
    const issuedAt = deps.now().toISOString();
    const certificate = await signCertificate(deps.keys, {
      type: 'gatepost.deletion-certificate',
      version: 1,
      id,
      compound: one ? { id: one.id, name: one.name } : null,
      period: { from, to: issuedAt },
      deleted: totals,
      backups,
      issuedAt,
      issuedBy: { id: actor.user.id, name: actor.user.displayName },
    });
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('deletionCertificate').values({ id, compoundId: one?.id ?? null, issuedAt, issuedBy: actor.user.id, document: JSON.stringify(certificate) }).execute();
      await recordAudit(tx, {
        actor,
        action: 'lockdown.end',
        entity: 'deletion_certificate',
        entityId: id,
        compoundId: one?.id ?? null,
        details: { compoundName: one?.name ?? null, certificateId: id, counts: totals, backups },
        ip: asker.ip,
        at: issuedAt,
      });
    });
    return { certificate };
  } finally {
    sqlite?.pragma('secure_delete = OFF');
    // The file itself: a VACUUM off the event loop (the deleted cells are already zeroed).
    await compactDatabase(deps).catch((err) => deps.log(`ERROR vacuum after the end of lockdown: ${String(err)}`));
  }
}

export async function getCertificate(db: Db, id: string): Promise<SignedCertificate> {
  const r = await db.selectFrom('deletionCertificate').select('document').where('id', '=', id).executeTakeFirst();
  if (!r) throw new NotFoundError('certificate');
  return JSON.parse(r.document) as SignedCertificate;
}

export async function listCertificates(db: Db) {
  const rows = await db.selectFrom('deletionCertificate').select(['id', 'compoundId', 'issuedAt', 'document']).orderBy('issuedAt', 'desc').limit(50).execute();
  return rows.map((r) => {
    const c = (JSON.parse(r.document) as SignedCertificate).certificate;
    return { id: r.id, compound: c.compound, issuedAt: r.issuedAt, deleted: c.deleted, issuedBy: c.issuedBy };
  });
}
