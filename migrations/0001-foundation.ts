import { type Kysely, sql } from 'kysely';
import { autoId, isPostgres } from './dialect.js';

// Conventions: times are ISO-8601 UTC strings ("2026-11-28T20:19:45.123Z") in text columns; booleans
// are integers 0/1; JSON is text. Both dialects compare and sort these the same way.

export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(db);

  await db.schema
    .createTable('compound')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('roster_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('gate')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('gate_compound_name', ['compound_id', 'name'])
    .execute();

  await db.schema
    .createTable('building')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('floor_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('elevator_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('building_compound_name', ['compound_id', 'name'])
    .execute();

  await db.schema
    .createTable('point')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('point_compound_name', ['compound_id', 'name'])
    .execute();

  // rv: the compound roster_version at the row's last change; tablets fetch rows with rv > their version.
  await db.schema
    .createTable('household')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('building_id', 'integer', (c) => c.notNull().references('building.id'))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('quarantine_until', 'text')
    .addColumn('quarantine_note', 'text')
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('household_address', ['building_id', 'unit', 'room'])
    .execute();
  await db.schema.createIndex('household_compound_rv').on('household').columns(['compound_id', 'rv']).execute();

  await db.schema
    .createTable('resident')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('household_id', 'integer', (c) => c.notNull().references('household.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('note', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('resident_household').on('resident').column('household_id').execute();
  await db.schema.createIndex('resident_compound_rv').on('resident').columns(['compound_id', 'rv']).execute();

  await db.schema
    .createTable('user')
    .addColumn('id', 'integer', id)
    .addColumn('username', 'text', (c) => c.unique())
    .addColumn('phone', 'text', (c) => c.unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('pin_hash', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('last_login_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_compound')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addPrimaryKeyConstraint('user_compound_pk', ['user_id', 'compound_id'])
    .execute();

  await db.schema
    .createTable('device')
    .addColumn('id', 'integer', id)
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('enrollment_code_hash', 'text', (c) => c.unique())
    .addColumn('enrollment_expires_at', 'text')
    .addColumn('enrolled_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('status', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('user.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('device_id', 'integer', (c) => c.references('device.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('idle_minutes', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_user').on('session').column('user_id').execute();

  await db.schema
    .createTable('login_failure')
    .addColumn('id', 'integer', id)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failure_key_at').on('login_failure').columns(['key', 'at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', id)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('device_id', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('compound_id', 'integer')
    .addColumn('details', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_compound_at').on('audit_log').columns(['compound_id', 'at']).execute();

  // Nobody edits the audit log: the database itself refuses updates and deletes.
  if (isPostgres(db)) {
    await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log
      for each row execute function audit_log_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger if exists audit_log_no_change on audit_log`.execute(db);
    await sql`drop function if exists audit_log_append_only()`.execute(db);
  }
  for (const t of [
    'audit_log',
    'login_failure',
    'session',
    'device',
    'user_compound',
    'user',
    'resident',
    'household',
    'point',
    'building',
    'gate',
    'compound',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
