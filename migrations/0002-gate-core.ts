import { type Kysely, sql } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db);

  // Ed25519 keys that sign passes and placards. The private key never leaves the server.
  await db.schema
    .createTable('signing_key')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();

  await db.schema
    .createTable('pass')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('resident.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'integer', (c) => c.references('user.id'))
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'integer', (c) => c.references('user.id'))
    .addColumn('revoke_reason', 'text')
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('pass_resident').on('pass').column('resident_id').execute();
  await db.schema.createIndex('pass_compound_rv').on('pass').columns(['compound_id', 'rv']).execute();
  // One active pass per resident: reissuing revokes the old one first.
  await db.schema.createIndex('pass_one_active').on('pass').column('resident_id').unique().where(sql.ref('status'), '=', 'active').execute();

  await db.schema
    .createTable('test_round')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'integer', (c) => c.references('user.id'))
    .addColumn('matched', 'integer', (c) => c.notNull())
    .addColumn('unmatched', 'integer', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('test_result')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('resident_id', 'integer', (c) => c.notNull().references('resident.id'))
    .addColumn('sampled_at', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('round_id', 'integer', (c) => c.references('test_round.id'))
    .addColumn('recorded_by', 'integer', (c) => c.references('user.id'))
    .addColumn('device_id', 'integer', (c) => c.references('device.id'))
    // A result seen on a phone at the gate comes through sync with the tablet's record id.
    .addColumn('record_id', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('test_result_resident').on('test_result').columns(['resident_id', 'sampled_at']).execute();
  await db.schema.createIndex('test_result_compound_rv').on('test_result').columns(['compound_id', 'rv']).execute();

  await db.schema
    .createTable('policy')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .addUniqueConstraint('policy_compound_version', ['compound_id', 'version'])
    .execute();

  // A volunteer's session at a gate; started and ended on the tablet, synced like every record.
  await db.schema
    .createTable('shift')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('device_id', 'integer', (c) => c.notNull().references('device.id'))
    .addColumn('gate_id', 'integer', (c) => c.notNull().references('gate.id'))
    .addColumn('volunteer_id', 'integer', (c) => c.notNull().references('user.id'))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('end_record_id', 'text', (c) => c.unique())
    .addColumn('ended_at', 'text')
    .addColumn('handover_note', 'text')
    .execute();
  await db.schema.createIndex('shift_compound_started').on('shift').columns(['compound_id', 'started_at']).execute();

  // One row per person at a gate, exactly as the tablet decided it. Never updated: corrections void it.
  await db.schema
    .createTable('gate_check')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('device_id', 'integer', (c) => c.references('device.id'))
    .addColumn('gate_id', 'integer', (c) => c.notNull().references('gate.id'))
    // No foreign key: a check must never be refused because its shift record went astray.
    .addColumn('shift_id', 'text')
    .addColumn('volunteer_id', 'integer', (c) => c.references('user.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('pass_id', 'integer', (c) => c.references('pass.id'))
    .addColumn('resident_id', 'integer', (c) => c.references('resident.id'))
    .addColumn('household_id', 'integer', (c) => c.references('household.id'))
    .addColumn('visitor', 'text')
    .addColumn('test_status', 'text')
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('override_reason', 'text')
    .addColumn('override_by', 'integer', (c) => c.references('user.id'))
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('policy_version', 'integer')
    .addColumn('roster_version', 'integer')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('clock_skew_ms', 'integer')
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('gate_check_compound_time').on('gate_check').columns(['compound_id', 'occurred_at']).execute();
  await db.schema.createIndex('gate_check_household').on('gate_check').columns(['household_id', 'occurred_at']).execute();
  await db.schema.createIndex('gate_check_resident').on('gate_check').columns(['resident_id', 'occurred_at']).execute();
  await db.schema.createIndex('gate_check_shift').on('gate_check').column('shift_id').execute();
  await db.schema.createIndex('gate_check_compound_rv').on('gate_check').columns(['compound_id', 'rv']).execute();

  // A correction: voids a gate check, with a reason. The check itself stays as it was.
  await db.schema
    .createTable('gate_check_void')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('gate_check_id', 'text', (c) => c.notNull().unique().references('gate_check.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('user.id'))
    .addColumn('device_id', 'integer', (c) => c.references('device.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('gate_check_void_compound_rv').on('gate_check_void').columns(['compound_id', 'rv']).execute();

  // The server's own re-run of the rules for a check, beside the tablet's record (which stays untouched).
  await db.schema
    .createTable('gate_check_analysis')
    .addColumn('gate_check_id', 'text', (c) => c.primaryKey().references('gate_check.id'))
    .addColumn('verdict', 'text')
    .addColumn('reasons', 'text')
    .addColumn('analyzed_at', 'text', (c) => c.notNull())
    .execute();

  // Synced batches waiting for that re-run: written with the batch, so none is forgotten across a restart.
  await db.schema
    .createTable('analysis_queue')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('check_ids', 'text', (c) => c.notNull())
    .addColumn('voided_check_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // What the server's own re-run of the rules found against a record a tablet let through.
  await db.schema
    .createTable('conflict')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('gate_check_id', 'text', (c) => c.notNull().references('gate_check.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('reviewed_at', 'text')
    .addColumn('reviewed_by', 'integer', (c) => c.references('user.id'))
    .addColumn('review_note', 'text')
    .execute();
  await db.schema.createIndex('conflict_compound').on('conflict').columns(['compound_id', 'reviewed_at']).execute();
  // One flag per check and kind, however often the rules are re-run.
  await db.schema.createIndex('conflict_check_kind').on('conflict').columns(['gate_check_id', 'kind']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['conflict', 'analysis_queue', 'gate_check_analysis', 'gate_check_void', 'gate_check', 'shift', 'policy', 'test_result', 'test_round', 'pass', 'signing_key']) {
    await db.schema.dropTable(t).execute();
  }
}
