import { type Kysely, sql } from 'kysely';
import { isPostgres } from './dialect.js';

// City scale (issue 14).

// A tablet whose clock went back to 1970 (power lost offline) is ~1.8e12 ms off: its records are stored put
// right, with the skew kept beside them. PostgreSQL's `integer` stops at 2^31 - 1 ms (24 days), and the whole
// batch failed there; SQLite's INTEGER is 64-bit already, so only PostgreSQL changes.
const COLUMNS = [
  ['gate_check', 'clock_skew_ms'],
  ['disinfection_record', 'clock_skew_ms'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // The district overview counts every compound's days in one grouped query: with the columns it tallies
  // (and the id, for the voided check) in the index, that is a read of the index in order, not a look-up of
  // every check's row (a month of a city is millions of them). The same columns as gate_check_compound_time
  // first, so that one still serves everything it did; each insert now writes one index more.
  await db.schema
    .createIndex('gate_check_compound_tally')
    .on('gate_check')
    .columns(['compound_id', 'occurred_at', 'passed', 'subject', 'direction', 'override_reason', 'id'])
    .execute();
  if (!isPostgres(db)) return;
  for (const [table, column] of COLUMNS) await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('gate_check_compound_tally').execute();
  if (!isPostgres(db)) return;
  // Skews that do not fit go back to unknown rather than fail the rollback.
  for (const [table, column] of COLUMNS) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = null where abs(${sql.ref(column)}) > 2147483647`.execute(db);
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type integer`.execute(db);
  }
}
