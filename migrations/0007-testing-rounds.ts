import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db);
  // A testing round (轮次): a mass-testing campaign over a date window (local dates, inclusive) and a scope
  // (the whole compound when building_ids is null, else a JSON list of building ids). Every result sampled
  // inside the window counts for it, whatever its source (imported files, hand entry, the gate, home).
  await db.schema
    .createTable('testing_round')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('building_ids', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .addColumn('coverage_at', 'text')
    // Set when test rows of its window are about to be purged: its coverage is final, never recounted.
    .addColumn('sealed_at', 'text')
    .execute();
  await db.schema.createIndex('testing_round_compound').on('testing_round').columns(['compound_id', 'starts_on']).execute();

  // A round's coverage per building and unit, kept apart from the test rows it was counted from: the
  // retention purge deletes test_result rows, never these.
  await db.schema
    .createTable('round_coverage')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('testing_round.id'))
    .addColumn('building_id', 'integer', (c) => c.notNull().references('building.id'))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('residents', 'integer', (c) => c.notNull())
    .addColumn('negative', 'integer', (c) => c.notNull())
    .addColumn('positive', 'integer', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addColumn('exempt', 'integer', (c) => c.notNull())
    .addColumn('untested', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_coverage_pk', ['round_id', 'building_id', 'unit'])
    .execute();

  // A resident who cannot be tested (bedridden, an infant, away), flagged by a manager with a reason:
  // counted apart, not as untested, and not asked for a round's test at the gate.
  await db.schema
    .createTable('test_exemption')
    .addColumn('resident_id', 'integer', (c) => c.primaryKey().references('resident.id'))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .execute();
  await db.schema.createIndex('test_exemption_compound').on('test_exemption').column('compound_id').execute();

  // A positive result raises an alert (one per result): shown on the compound's dashboard and the
  // district's; the person as they stood then; handled when a manager acted on it (quarantine).
  await db.schema
    .createTable('alert')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    // No foreign key: the retention purge deletes test rows, and an alert outlives its row.
    .addColumn('test_result_id', 'integer', (c) => c.notNull().unique())
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('resident.id'))
    .addColumn('household_id', 'integer', (c) => c.notNull().references('household.id'))
    .addColumn('person_name', 'text', (c) => c.notNull())
    .addColumn('building_name', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('quarantine_until', 'text')
    .addColumn('handled_at', 'text')
    .addColumn('handled_by', 'integer', (c) => c.references('user.id'))
    .execute();
  await db.schema.createIndex('alert_compound_created').on('alert').columns(['compound_id', 'created_at']).execute();
  await db.schema.createIndex('alert_created').on('alert').column('created_at').execute();
  // Gate contacts look for everyone at one gate within minutes of a time.
  await db.schema.createIndex('gate_check_gate_time').on('gate_check').columns(['gate_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('gate_check_gate_time').execute();
  for (const t of ['alert', 'test_exemption', 'round_coverage', 'testing_round']) await db.schema.dropTable(t).execute();
}
