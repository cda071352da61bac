import { type Kysely, sql } from 'kysely';
import { isPostgres } from './dialect.js';

// A tablet whose clock went back to 1970 (power lost offline) is ~1.8e12 ms off: its records are stored put
// right, with the skew kept beside them. PostgreSQL's `integer` stops at 2^31 - 1 ms (24 days), and the whole
// batch failed there; SQLite's INTEGER is 64-bit already, so only PostgreSQL changes.
const COLUMNS = [
  ['gate_check', 'clock_skew_ms'],
  ['disinfection_record', 'clock_skew_ms'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [table, column] of COLUMNS) await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  // Skews that do not fit go back to unknown rather than fail the rollback.
  for (const [table, column] of COLUMNS) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = null where abs(${sql.ref(column)}) > 2147483647`.execute(db);
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type integer`.execute(db);
  }
}
