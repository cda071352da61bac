import type { AcceptedCheck } from '../gate/ingest.js';

type Listener = (checkIds: string[]) => void;

/**
 * The live feed: gate checks accepted by this server process, fanned out to the dashboards watching
 * their compound. In-process only: with several servers on one PostgreSQL database, a dashboard sees
 * the checks that reached its own server (and the rest on its next refresh).
 */
export class LiveFeed {
  private listeners = new Map<number, Set<Listener>>();

  publish(accepted: AcceptedCheck[]): void {
    const byCompound = new Map<number, string[]>();
    for (const a of accepted) byCompound.set(a.compoundId, [...(byCompound.get(a.compoundId) ?? []), a.id]);
    for (const [compoundId, ids] of byCompound) for (const l of this.listeners.get(compoundId) ?? []) l(ids);
  }

  /** Listen to one compound's checks; returns the function that stops listening. */
  subscribe(compoundId: number, listener: Listener): () => void {
    const set = this.listeners.get(compoundId) ?? new Set();
    set.add(listener);
    this.listeners.set(compoundId, set);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(compoundId);
    };
  }

  watchers(compoundId: number): number {
    return this.listeners.get(compoundId)?.size ?? 0;
  }
}
