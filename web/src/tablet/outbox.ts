import type { SyncOutcome, SyncRecord } from '../../../server/core/sync';
import type { GateDatabase, OutboxEntry } from './db';

/**
 * The outbox: every record goes here first, durably, and then to the server. First in, first out; one
 * sync at a time; a record leaves only when the server says it has it (accepted or duplicate). A record
 * the server rejects stays, visible with its reason. Nothing expires: an unsynced record is never dropped.
 */
export type SendBatch = (records: SyncRecord[]) => Promise<{ results: SyncOutcome[] }>;

/** Thrown by `send` for answers worth retrying (no network, 5xx). Anything else stops the sync and shows. */
export class RetryableError extends Error {}

export interface SyncReport {
  sent: number;
  accepted: number;
  rejected: number;
}

export class Outbox {
  private running: Promise<SyncReport> | null = null;
  private listeners = new Set<() => void>();
  /**
   * How many are pending, counted once from the status index and then kept by this outbox's own changes
   * (it is the only writer): the status bar asks after every scan, and a tablet back from three days
   * offline holds 12,000 records. null: count again.
   */
  private pendingN: number | null = null;
  /** Changes so far: a count that ran across one is not kept. */
  private changes = 0;

  constructor(
    private db: GateDatabase,
    private send: SendBatch,
    private opts: { batchSize?: number } = {},
  ) {}

  /** Store a record; resolves once it is durable. */
  async add(record: SyncRecord, now = Date.now()): Promise<void> {
    await this.db.add('outbox', { id: record.id, record, createdAt: now, status: 'pending' });
    this.changes++;
    if (this.pendingN !== null) this.pendingN++;
    this.changed();
  }

  async pendingCount(): Promise<number> {
    if (this.pendingN !== null) return this.pendingN;
    const before = this.changes;
    const n = await this.db.countFromIndex('outbox', 'byStatus', 'pending');
    if (before === this.changes) this.pendingN = n;
    return n;
  }

  /** The records waiting, oldest first (at most `limit`). */
  async pending(limit?: number): Promise<OutboxEntry[]> {
    return this.db.getAllFromIndex('outbox', 'byStatus', 'pending', limit);
  }

  async rejected(): Promise<OutboxEntry[]> {
    return this.db.getAllFromIndex('outbox', 'byStatus', 'rejected');
  }

  /** Where these records stand: pending, rejected, or absent (on the server, or never here). */
  async statusOf(ids: string[]): Promise<Map<string, OutboxEntry['status']>> {
    const tx = this.db.transaction('outbox');
    const out = new Map<string, OutboxEntry['status']>();
    for (const e of await Promise.all(ids.map((id) => tx.store.index('byId').get(id)))) if (e) out.set(e.id, e.status);
    return out;
  }

  /** Send everything pending, oldest first, in batches. If a sync is running, wait for it (single flight). */
  sync(): Promise<SyncReport> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /** Be told when the outbox changes (a record added, sent or rejected). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const l of this.listeners) l();
  }

  private async run(): Promise<SyncReport> {
    const report: SyncReport = { sent: 0, accepted: 0, rejected: 0 };
    const size = this.opts.batchSize ?? 200;
    for (;;) {
      // Records added during a sync are taken by its next round, so nothing waits for the next trigger.
      const batch = await this.pending(size);
      if (!batch.length) return report;
      const { results } = await this.send(batch.map((e) => e.record));
      const outcome = new Map(results.filter((r) => r.id).map((r) => [r.id!, r]));
      const tx = this.db.transaction('outbox', 'readwrite');
      let settled = 0;
      for (const e of batch) {
        const r = outcome.get(e.id);
        if (!r) continue; // not answered: stays pending for the next round
        if (r.status === 'rejected') {
          await tx.store.put({ ...e, status: 'rejected', reason: r.reason });
          report.rejected++;
        } else {
          await tx.store.delete(e.seq!);
          report.accepted++;
        }
        settled++;
      }
      await tx.done;
      this.changes++;
      if (this.pendingN !== null) this.pendingN -= settled;
      report.sent += batch.length;
      this.changed();
      // A batch the server answered without taking a single record would loop forever: stop and retry later.
      if (batch.every((e) => !outcome.has(e.id))) throw new RetryableError('the server answered for none of the records');
    }
  }
}
