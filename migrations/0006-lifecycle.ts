import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

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

  // Test coverage that outlives the results: per round imported (round_key 'round:<id>') or, for results
  // recorded outside a round, per local day ('day:YYYY-MM-DD'): how many results of each kind, how many residents.
  await db.schema
    .createTable('test_coverage_aggregate')
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('round_key', 'text', (c) => c.notNull())
    .addColumn('round_id', 'integer')
    .addColumn('day', 'text')
    .addColumn('results', 'integer', (c) => c.notNull())
    .addColumn('negative', 'integer', (c) => c.notNull())
    .addColumn('positive', 'integer', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addColumn('residents', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_coverage_aggregate_pk', ['compound_id', 'round_key'])
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compound').dropColumn('lockdown_ended_at').execute();
  for (const t of ['deletion_certificate', 'backup', 'test_coverage_aggregate', 'disinfection_day_aggregate', 'shift_aggregate', 'gate_day_aggregate', 'retention_setting', 'lease']) {
    await db.schema.dropTable(t).execute();
  }
}
