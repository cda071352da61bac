import { type Kysely, sql } from 'kysely';
import { autoId, isPostgres } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db);

  // Scheduled work (server/jobs): one row per job. Whoever holds an unexpired lease runs the job; a holder
  // that stops renewing (crashed, switched off) loses it when it expires. last_run_at: when the job last ran
  // to its end, on any instance, so a restarted or second instance knows whether it is overdue.
  await db.schema
    .createTable('lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text')
    .addColumn('last_run_at', 'text')
    .execute();

  // Each compound's retention (days); a null column takes the configured default. last_purge_*: the last
  // retention purge, shown in the office.
  await db.schema
    .createTable('retention_setting')
    .addColumn('compound_id', 'integer', (c) => c.primaryKey().references('compound.id'))
    .addColumn('gate_days', 'integer')
    .addColumn('photo_days', 'integer')
    .addColumn('test_days', 'integer')
    .addColumn('record_days', 'integer')
    .addColumn('updated_at', 'text')
    .addColumn('updated_by', 'integer', (c) => c.references('user.id'))
    .addColumn('last_purge_at', 'text')
    .addColumn('last_purge', 'text')
    .execute();

  // What the purged gate checks of one compound, gate and local day added up to: CheckSummary and the 24
  // hours, as JSON. The day's figures are these plus whatever rows of the day are still there.
  await db.schema
    .createTable('gate_day_aggregate')
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('gate_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('hourly', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('gate_day_aggregate_pk', ['compound_id', 'gate_id', 'day'])
    .execute();

  // The same for a shift (its log outlives its checks): summary, and the overrides' reasons with counts.
  await db.schema
    .createTable('shift_aggregate')
    .addColumn('shift_id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('override_reasons', 'text', (c) => c.notNull())
    .execute();

  // A compound's disinfection grid of a day, kept when its rounds are purged: owed slots, counts by state, missed places.
  await db.schema
    .createTable('disinfection_day_aggregate')
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('grid', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('disinfection_day_aggregate_pk', ['compound_id', 'day'])
    .execute();

  // Backups the server made (by schedule, the button or npm run backup against this database).
  await db.schema
    .createTable('backup')
    .addColumn('id', 'integer', id)
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('user.id'))
    .addColumn('deleted_at', 'text')
    .execute();

  // End-of-lockdown deletion certificates: the signed JSON as issued (its own text, so it verifies byte for byte).
  await db.schema
    .createTable('deletion_certificate')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer')
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'integer', (c) => c.references('user.id'))
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  // A compound whose epidemic-control period ended: the tablets' sync refuses new personal records for it.
  await db.schema.alterTable('compound').addColumn('lockdown_ended_at', 'text').execute();

  // The audit log stays append-only, with one controlled exception: the end-of-lockdown purge redacts the
  // personal fields of rows' details. It may do so only inside a transaction that holds a row of
  // audit_redaction (server/lifecycle/lockdown.ts inserts and deletes it there), and only the details
  // column: who, when, what, on which record and from where stay as written. Deletes stay refused.
  await db.schema.createTable('audit_redaction').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
  const same = ['id', 'at', 'user_id', 'device_id', 'action', 'entity', 'entity_id', 'compound_id', 'ip'];
  if (isPostgres(db)) {
    await sql`drop trigger audit_log_no_change on audit_log`.execute(db);
    await sql.raw(`create function audit_log_redact_only() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from audit_redaction) and ${same.map((c) => `new.${c} is not distinct from old.${c}`).join(' and ')} then return new; end if;
        raise exception 'audit_log is append-only';
      end $$`).execute(db);
    await sql`create trigger audit_log_no_update before update on audit_log for each row execute function audit_log_redact_only()`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`drop trigger audit_log_no_update`.execute(db);
    await sql.raw(`create trigger audit_log_no_update before update on audit_log
      when not exists (select 1 from audit_redaction) or ${same.map((c) => `new.${c} is not old.${c}`).join(' or ')}
      begin select raise(abort, 'audit_log is append-only'); end`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger audit_log_no_update on audit_log`.execute(db);
    await sql`drop trigger audit_log_no_delete on audit_log`.execute(db);
    await sql`drop function audit_log_redact_only()`.execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`drop trigger audit_log_no_update`.execute(db);
    await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
  await db.schema.dropTable('audit_redaction').execute();
  await db.schema.alterTable('compound').dropColumn('lockdown_ended_at').execute();
  for (const t of ['deletion_certificate', 'backup', 'disinfection_day_aggregate', 'shift_aggregate', 'gate_day_aggregate', 'retention_setting', 'lease']) {
    await db.schema.dropTable(t).execute();
  }
}
