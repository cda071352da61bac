import type { Kysely } from 'kysely';
import { autoId, isPostgres } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db);
  const blob = isPostgres(db) ? 'bytea' : 'blob';

  // The daily slots (times and due windows). Versioned: a change applies from its moment on, and never
  // rewrites a slot that already began.
  await db.schema
    .createTable('disinfection_schedule')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('slots', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .addUniqueConstraint('disinfection_schedule_version', ['compound_id', 'version'])
    .execute();

  // What to tick, for buildings and for each kind of point.
  await db.schema
    .createTable('checklist_template')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('user.id'))
    .addUniqueConstraint('checklist_template_target', ['compound_id', 'target'])
    .execute();

  // One round of disinfection as the tablet recorded it (done, or skipped with a reason).
  await db.schema
    .createTable('disinfection_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('slot_date', 'text', (c) => c.notNull())
    .addColumn('slot_time', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('disinfectant', 'text')
    .addColumn('concentration', 'text')
    .addColumn('note', 'text')
    .addColumn('skip_reason', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('operator_id', 'integer', (c) => c.references('user.id'))
    .addColumn('device_id', 'integer', (c) => c.references('device.id'))
    .addColumn('shift_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('clock_skew_ms', 'integer')
    .execute();
  await db.schema.createIndex('disinfection_record_day').on('disinfection_record').columns(['compound_id', 'slot_date']).execute();
  await db.schema.createIndex('disinfection_record_target').on('disinfection_record').columns(['target_kind', 'target_id', 'slot_date']).execute();

  // Photos follow their record separately (a record is complete without one).
  await db.schema
    .createTable('disinfection_photo')
    .addColumn('record_id', 'text', (c) => c.primaryKey().references('disinfection_record.id'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', blob, (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['disinfection_photo', 'disinfection_record', 'checklist_template', 'disinfection_schedule']) {
    await db.schema.dropTable(t).execute();
  }
}
