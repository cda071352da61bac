import type { Db } from '../db/database.js';
import type { TestImportReport } from './service.js';

/** A compound's imported testing rounds, newest first (without their reports). */
export async function listTestRounds(db: Db, compoundId: number) {
  return db.selectFrom('testRound').select(['id', 'name', 'fileName', 'importedAt', 'matched', 'unmatched']).where('compoundId', '=', compoundId).orderBy('id', 'desc').execute();
}

/** One round with its import report. */
export async function getTestRound(db: Db, compoundId: number, roundId: number) {
  const round = await db.selectFrom('testRound').selectAll().where('compoundId', '=', compoundId).where('id', '=', roundId).executeTakeFirst();
  return round ? { ...round, report: JSON.parse(round.report) as TestImportReport } : undefined;
}
