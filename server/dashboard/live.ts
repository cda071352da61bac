import type { AlertView } from '../alerts/queries.js';
import { breathe } from '../db/breathe.js';
import { AppError } from '../errors.js';
import type { AcceptedCheck } from '../gate/ingest.js';
import { listGateChecks } from '../gate/queries.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/database.js';

export interface LiveFeedLimits {
  /** Live feeds one sign-in may hold open at once: a dashboard tab each. */
  perSession: number;
  /** …and one user across all their sign-ins (signing in again must not be a way to take every feed). */
  perUser: number;
  /** Live feeds this server process holds open in all. */
  total: number;
  /**
   * Bytes of events a dashboard may leave unread before it is dropped. Its EventSource reconnects on its
   * own (what it missed is in the gate-check list); a backlog kept for it would only grow while it does
   * not read, in the server's memory.
   */
  maxPendingBytes: number;
  /** How long a batch waits for others to join it before the dashboards hear of it. */
  coalesceMs: number;
  /**
   * How often a feed checks that its sign-in may still read the compound (signed out, expired, taken off
   * it): on a quiet feed with its heartbeat, on a busy one before the next event it would send.
   */
  sessionCheckMs: number;
}

export const DEFAULT_LIVE_FEED_LIMITS: LiveFeedLimits = {
  perSession: 5,
  perUser: 10,
  total: 200,
  maxPendingBytes: 1024 * 1024,
  // Long enough for the tablet's answer to be on its way (the sync publishes just before answering), short
  // enough that nobody watching a dashboard notices.
  coalesceMs: 50,
  // Also the heartbeat: proxies close a feed that is quiet for long.
  sessionCheckMs: 25_000,
};

/** The ids of one query of the feed: the gate-check list's own page size. */
const ROWS_PER_READ = 200;
const LISTENERS_PER_SLICE = 50;

export class TooManyLiveFeedsError extends AppError<'too_many_live_feeds'> {
  constructor(per: 'session' | 'account' | 'server', count: number) {
    super(429, 'too_many_live_feeds', { per, count });
  }
}

/**
 * One dashboard's connection to the feed: the events for it to write, in order. Events are shared
 * chunks (the same bytes for every dashboard of a compound), so a queue costs references, not copies;
 * but a dashboard that stops reading is dropped once it leaves more than `maxPendingBytes` unread.
 */
export class LiveListener {
  private queue: Uint8Array[] = [];
  /** Bytes queued, plus the chunk last handed out (written, but perhaps not yet taken by the client). */
  private pendingBytes = 0;
  private handedOut = 0;
  private wake: (() => void) | null = null;
  private dropHandlers: (() => void)[] = [];
  closed = false;
  /** Closed by the feed because the client was not reading. */
  dropped = false;

  constructor(
    private readonly maxPendingBytes: number,
    private readonly release: (l: LiveListener) => void,
  ) {}

  /** Called when the feed drops this listener: the stream must end now, not after its stuck writes. */
  onDrop(handler: () => void): void {
    this.dropHandlers.push(handler);
  }

  push(chunk: Uint8Array): void {
    if (this.closed) return;
    // One chunk is always taken, however large: a batch bigger than the limit still reaches a reader.
    if (this.pendingBytes > 0 && this.pendingBytes + chunk.byteLength > this.maxPendingBytes) {
      this.dropped = true;
      this.close();
      for (const h of this.dropHandlers) h();
      return;
    }
    this.queue.push(chunk);
    this.pendingBytes += chunk.byteLength;
    this.wake?.();
  }

  /**
   * The next chunk to write; 'idle' when nothing came for `idleMs` (time for a heartbeat); 'closed' at the
   * end. One writer loop calls it, and calling it again says the chunk it handed out before was written.
   */
  async next(idleMs: number): Promise<Uint8Array | 'idle' | 'closed'> {
    this.pendingBytes -= this.handedOut;
    this.handedOut = 0;
    if (!this.queue.length && !this.closed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, idleMs);
      });
      clearTimeout(timer);
      this.wake = null;
    }
    if (this.closed) return 'closed';
    const chunk = this.queue.shift();
    if (!chunk) return 'idle';
    this.handedOut = chunk.byteLength;
    return chunk;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.release(this);
    this.wake?.();
  }
}

/** The PostgreSQL channel of the live feed: one for all compounds, the compound in the payload. */
export const LIVE_CHANNEL = 'gatepost_live';
/** Check ids per notification: 36-character ids, well under PostgreSQL's 8,000-byte payload. */
const IDS_PER_NOTIFY = 150;
/** How long a broken LISTEN connection waits before it is opened again. */
const RELISTEN_MS = 1_000;

/**
 * The live feed: gate checks accepted by any server, fanned out to the dashboards watching their compound.
 * - SQLite (one process is the server): what this process accepted, noted in memory.
 * - PostgreSQL (several servers behind a load balancer): a sync NOTIFYs the ids it accepted on
 *   LIVE_CHANNEL, and every server that has a dashboard open LISTENs there (on one connection of its own,
 *   opened with its first feed and closed with its last), its own notifications included; so a dashboard on
 *   any server sees a check synced through any other. If that connection breaks, it is opened again; what
 *   was synced meanwhile is in the gate-check list (as for a dashboard that reconnects).
 *
 * The gate comes first: `publish` only notes the ids, and the fan-out runs on a timer after the tablet has
 * its answer. Batches arriving together are read together, once per compound (every office role that may
 * read a compound sees the same rows of it), rendered as SSE text once, and the same bytes go to every
 * listener.
 */
export class LiveFeed {
  readonly limits: LiveFeedLimits;
  private readonly db: Db;
  private listeners = new Map<number, Set<LiveListener>>();
  private perSession = new Map<string, number>();
  private perUser = new Map<number, number>();
  private count = 0;
  private pending = new Map<number, string[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing = false;
  private readonly encoder = new TextEncoder();
  /** PostgreSQL: the LISTEN connection while any feed is open (resolves to its stop function). */
  private subscription: Promise<() => Promise<void>> | null = null;
  private relisten: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deps: Pick<AppDeps, 'database' | 'log'>,
    limits: Partial<LiveFeedLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIVE_FEED_LIMITS, ...limits };
    this.db = deps.database.reader;
  }

  /** Note checks a sync accepted; their compounds' dashboards hear of them shortly, never in the sync. */
  publish(accepted: AcceptedCheck[]): void {
    const pubsub = this.deps.database.pubsub;
    if (!pubsub) {
      for (const a of accepted) this.note(a.compoundId, [a.id]);
      return;
    }
    const byCompound = new Map<number, string[]>();
    for (const a of accepted) byCompound.set(a.compoundId, [...(byCompound.get(a.compoundId) ?? []), a.id]);
    for (const [c, ids] of byCompound) {
      for (let i = 0; i < ids.length; i += IDS_PER_NOTIFY) {
        pubsub.notify(LIVE_CHANNEL, JSON.stringify({ c, ids: ids.slice(i, i + IDS_PER_NOTIFY) })).catch((err) => {
          this.deps.log(`ERROR live feed notify: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
    }
  }

  /** Checks of a compound to send its dashboards on the next flush (none are kept for a compound nobody watches). */
  private note(compoundId: number, ids: string[]): void {
    if (!this.listeners.has(compoundId)) return;
    const pending = this.pending.get(compoundId);
    if (pending) pending.push(...ids);
    else this.pending.set(compoundId, [...ids]);
    this.schedule();
  }

  /** Resolves when this server hears every server's checks (at once on SQLite; PostgreSQL: LISTEN is up). */
  async subscribed(): Promise<void> {
    if (this.subscription) await this.subscription;
  }

  private subscribe(): void {
    const pubsub = this.deps.database.pubsub;
    if (!pubsub || this.subscription || this.relisten || !this.count) return;
    const onMessage = (payload: string) => {
      try {
        const { c, ids } = JSON.parse(payload) as { c: number; ids: string[] };
        if (Number.isInteger(c) && Array.isArray(ids)) this.note(c, ids.filter((id) => typeof id === 'string'));
      } catch {
        // not ours
      }
    };
    const lost = (err: Error) => {
      this.deps.log(`ERROR live feed: LISTEN connection lost (${err.message}); listening again in ${RELISTEN_MS} ms`);
      this.subscription = null;
      this.relisten = setTimeout(() => {
        this.relisten = null;
        this.subscribe();
      }, RELISTEN_MS);
    };
    const sub = pubsub.listen(LIVE_CHANNEL, onMessage, lost);
    this.subscription = sub;
    sub.catch((err) => {
      if (this.subscription === sub) lost(err instanceof Error ? err : new Error(String(err)));
    });
  }

  private unsubscribe(): void {
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = null;
    const sub = this.subscription;
    this.subscription = null;
    sub?.then((stop) => stop()).catch(() => {});
  }

  /**
   * Listen to one compound's checks for one sign-in; close the listener to stop. Refused with a 429 when
   * the sign-in, or the server, already holds as many feeds as it may.
   */
  listen(compoundId: number, sessionId: string, userId: number): LiveListener {
    const mine = this.perSession.get(sessionId) ?? 0;
    if (mine >= this.limits.perSession) {
      throw new TooManyLiveFeedsError('session', mine);
    }
    const theirs = this.perUser.get(userId) ?? 0;
    if (theirs >= this.limits.perUser) {
      throw new TooManyLiveFeedsError('account', theirs);
    }
    if (this.count >= this.limits.total) {
      throw new TooManyLiveFeedsError('server', this.limits.total);
    }
    this.perSession.set(sessionId, mine + 1);
    this.perUser.set(userId, theirs + 1);
    this.count++;
    const listener = new LiveListener(this.limits.maxPendingBytes, (l) => {
      this.count--;
      const left = (this.perSession.get(sessionId) ?? 1) - 1;
      if (left > 0) this.perSession.set(sessionId, left);
      else this.perSession.delete(sessionId);
      const userLeft = (this.perUser.get(userId) ?? 1) - 1;
      if (userLeft > 0) this.perUser.set(userId, userLeft);
      else this.perUser.delete(userId);
      const set = this.listeners.get(compoundId);
      set?.delete(l);
      if (set && !set.size) this.listeners.delete(compoundId);
      if (!this.count) this.unsubscribe();
    });
    const set = this.listeners.get(compoundId) ?? new Set();
    set.add(listener);
    this.listeners.set(compoundId, set);
    this.subscribe();
    return listener;
  }

  /**
   * A positive result's alert, to its compound's dashboards at once (event `alert`): few, and urgent, so
   * not coalesced with the checks. (The district overview polls GET /api/alerts.)
   */
  publishAlerts(alerts: AlertView[]): void {
    for (const a of alerts) {
      const set = this.listeners.get(a.compoundId);
      if (!set?.size) continue;
      const chunk = this.encoder.encode(`event: alert\ndata: ${JSON.stringify(a)}\nid: alert-${a.id}\n\n`);
      for (const l of [...set]) l.push(chunk);
    }
  }

  watchers(compoundId: number): number {
    return this.listeners.get(compoundId)?.size ?? 0;
  }

  private schedule(): void {
    // A flush under way schedules the next one when it ends: one flush at a time, in order.
    if (!this.pending.size || this.timer || this.flushing) return;
    this.timer = setTimeout(() => void this.flush(), this.limits.coalesceMs);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      for (const [compoundId, ids] of batch) {
        for (let i = 0; i < ids.length; i += ROWS_PER_READ) {
          if (!this.listeners.get(compoundId)?.size) break;
          const chunk = await this.render(compoundId, ids.slice(i, i + ROWS_PER_READ));
          if (!chunk.byteLength) continue;
          // Listeners that joined since the batch came in get it too: it happened after they opened.
          const listeners = [...(this.listeners.get(compoundId) ?? [])];
          // A push sets off that listener's socket write at once: a slice at a time, with the event loop let
          // go in between, so a sync that arrives during a big fan-out waits for one slice, not for all.
          for (let k = 0; k < listeners.length; k += LISTENERS_PER_SLICE) {
            for (const l of listeners.slice(k, k + LISTENERS_PER_SLICE)) l.push(chunk);
            await breathe();
          }
        }
      }
    } catch (err) {
      // The checks are stored; dashboards miss them live and see them on their next reload.
      this.deps.log(`ERROR live feed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  /** The SSE text of these checks, oldest first, exactly as streamSSE's writeSSE would write each. */
  private async render(compoundId: number, ids: string[]): Promise<Uint8Array> {
    const { checks } = await listGateChecks(this.db, compoundId, { ids, limit: ids.length });
    let text = '';
    for (const check of checks.reverse()) text += `event: check\ndata: ${JSON.stringify(check)}\nid: ${check.id}\n\n`;
    return this.encoder.encode(text);
  }
}
