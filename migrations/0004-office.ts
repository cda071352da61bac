import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // When a tablet last downloaded its roster: the dashboard shows each tablet's roster age.
  await db.schema.alterTable('device').addColumn('roster_fetched_at', 'text').execute();
  // The audit log page filters by action and by time.
  await db.schema.createIndex('audit_log_action_at').on('audit_log').columns(['action', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_action_at').execute();
  await db.schema.alterTable('device').dropColumn('roster_fetched_at').execute();
}
