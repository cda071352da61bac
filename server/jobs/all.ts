import type { AppDeps } from '../deps.js';
import { analysisCatchUpJob } from '../gate/analysis.js';
import { shiftSweepJob } from '../gate/shift-sweep.js';
import { backupJob } from '../lifecycle/backup.js';
import { retentionJob } from '../lifecycle/retention.js';
import type { Job } from './scheduler.js';

/** The server's scheduled jobs (main.ts starts them with startScheduler). A new job is added here. */
export function serverJobs(deps: AppDeps): Job[] {
  const backup = backupJob(deps);
  return [analysisCatchUpJob, shiftSweepJob, retentionJob, ...(backup ? [backup] : [])];
}
