import { type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Database } from './database.js';

type Target = Pick<Database, 'db' | 'schema'>;

function migrator({ db, schema }: Target): Migrator {
  return new Migrator({
    // Migrations speak snake_case SQL: run them without the app's camelCase plugin.
    db: db.withoutPlugins(),
    provider: { getMigrations: async () => migrations },
    // On PostgreSQL, name the schema: the migrator's bookkeeping must not find another schema's tables.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function check(result: MigrationResultSet, what: string): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${what} failed${failed ? ` at ${failed.migrationName}` : ''}: ${cause}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Bring the schema to the newest migration; throws (loudly) when one fails. Returns the names applied. */
export async function migrateToLatest(target: Target): Promise<string[]> {
  return check(await migrator(target).migrateToLatest(), 'to latest');
}

/** Undo every migration (tests and disaster drills only). */
export async function migrateDownAll(target: Target): Promise<string[]> {
  const m = migrator(target);
  const undone: string[] = [];
  for (;;) {
    const names = check(await m.migrateDown(), 'down');
    if (names.length === 0) return undone;
    undone.push(...names);
  }
}
