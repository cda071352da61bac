import { applyRoster, type RosterPayload, type RosterState } from '../../../server/core/roster';
import { type GateDatabase, kvGet, kvSet } from './db';

/**
 * The roster on the tablet: downloaded (a snapshot first, then the changes since its version), merged,
 * and kept in IndexedDB so the gate decides offline after a reload.
 */
export class RosterStore {
  state: RosterState | null = null;

  constructor(
    private db: GateDatabase,
    private fetchRoster: (since: number | null) => Promise<RosterPayload>,
  ) {}

  async load(): Promise<RosterState | null> {
    this.state = (await kvGet<RosterState>(this.db, 'roster')) ?? null;
    return this.state;
  }

  /** Bring the roster up to date. A delta that does not fit (another version) is replaced by a snapshot. */
  async refresh(now = Date.now()): Promise<RosterState> {
    const since = this.state?.version ?? null;
    const payload = await this.fetchRoster(since);
    let next: RosterState;
    try {
      next = applyRoster(this.state, payload, now);
    } catch {
      next = applyRoster(null, await this.fetchRoster(null), now);
    }
    await kvSet(this.db, 'roster', next);
    this.state = next;
    return next;
  }

  /** Forget it (another compound's tablet, or a revoked one). */
  async clear(): Promise<void> {
    this.state = null;
    await kvSet(this.db, 'roster', undefined);
  }
}
