import { type ParsedCode, parseCode } from '../../../server/core/code';
import type { Direction } from '../../../server/core/decide';
import { tallyOf } from '../../../server/core/gate-check';
import type { DisinfectionRecord, SyncRecord, SyncResponse } from '../../../server/core/sync';
import { uuidv7 } from '../../../server/core/uuid';
import { ApiError, call, client, requestOptions } from '../client';
import { checkPin, makePinVerifier, type PinVerifier, verifyCode, warmUpVerification } from './crypto';
import { type GateDatabase, kvDelete, kvGet, kvSet, openGateDb, type RecentPassage } from './db';
import { checkRecord, decideLocally, type LocalDecision, needsReading, passageOf, type Reading, type Subject, type Visitor, type VisitorTest } from './gate';
import { Outbox, RetryableError } from './outbox';
import { RosterStore } from './roster';
import { type Sighting, Sightings } from './sightings';
import type { DeviceInfo, LocalRound, RoundDraft, RoundTarget, ScanOutcome, Settings, Shift, ShownVerdict, SyncStatus, TabletState, Volunteer } from './types';

interface OfflineSignIn extends PinVerifier {
  userId: number;
  displayName: string;
  signedInAt: number;
}

/** How long a volunteer's last online sign-in lets them sign in again offline. */
export const OFFLINE_SIGNIN_MS = 24 * 3_600_000;
const SYNC_EVERY_MS = 30_000;
const ROSTER_EVERY_MS = 2 * 60_000;
/**
 * 在线 means a request reached the server this recently (the tablet asks at least every SYNC_EVERY_MS),
 * and none has failed since.
 */
export const ONLINE_FOR_MS = 75_000;
/** After a failed sync the tablet waits before it tries again, longer each time, but never more than this. */
const RETRY_MAX_MS = 60_000;
/** A placard just read is not opened again for this long (it is held up while the sheet opens). */
const SAME_PLACARD_MS = 5_000;
/** The policy's repeat window, for a roster cached before the policy had one. */
const REPEAT_SCAN_DEFAULT_S = 30;
/** The verdict goes back to scanning by itself: quickly when the person may pass, a little later when not. */
const VERDICT_MS = { allow: 2_000, deny: 5_000, review: 5_000 } as const;

/**
 * Everything the tablet knows and does, apart from drawing it: the enrolled device, the volunteer on
 * duty, the shift, the verdict on screen, the outbox and its sync, the roster. Screens read `state` and
 * call methods. Long on purpose: it is the one home of the tablet's logic, so that no screen holds any;
 * the pieces it drives (outbox.ts, roster.ts, gate.ts, db.ts) are modules of their own.
 */
export class TabletController {
  state: TabletState = {
    ready: false,
    device: null,
    volunteer: null,
    shift: null,
    settings: { muted: false, cameraId: null, cameraOn: true },
    sync: { online: false, syncing: false, pending: 0, photos: 0, rejected: [], lastSyncAt: null, lastError: null },
    rosterVersion: null,
    rosterFetchedAt: null,
    verdict: null,
    reading: null,
  };
  readonly roster: RosterStore;
  readonly outbox: Outbox;
  private recent: RecentPassage[] = [];
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private retryAt = 0;
  private failures = 0;
  private lastRosterAt = 0;
  /** When a request last reached the server (0: not since this page opened, or one failed since). */
  private lastContactAt = 0;

  static async open(now = () => Date.now()): Promise<TabletController> {
    const c = new TabletController(await openGateDb(), now);
    await c.load();
    return c;
  }

  constructor(
    private db: GateDatabase,
    private now: () => number = () => Date.now(),
  ) {
    this.roster = new RosterStore(db, (since) => call(client.api.device.roster.$get({ query: since === null ? {} : { since: String(since) } }, requestOptions({ token: this.token() }))));
    this.outbox = new Outbox(db, (records) => this.send(records));
    this.outbox.subscribe(() => void this.refreshCounts());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<TabletState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private setSync(patch: Partial<SyncStatus>) {
    this.set({ sync: { ...this.state.sync, ...patch } });
  }

  private token(): string {
    if (!this.state.device) throw new TabletError('notEnrolled');
    return this.state.device.token;
  }

  private async load() {
    const [device, volunteer, shift, settings, lastSyncAt] = await Promise.all([
      kvGet<DeviceInfo>(this.db, 'device'),
      kvGet<Volunteer>(this.db, 'volunteer'),
      kvGet<Shift>(this.db, 'shift'),
      kvGet<Settings>(this.db, 'settings'),
      kvGet<number>(this.db, 'lastSyncAt'),
    ]);
    const roster = await this.roster.load();
    if (roster) void warmUpVerification(roster.keys);
    // This tablet's passages of the last week: its decisions see them before the roster does.
    const weekAgo = this.now() - 8 * 86_400_000;
    this.recent = (await this.db.getAll('recent')).filter((p) => p.at >= weekAgo);
    this.set({
      ready: true,
      device: device ?? null,
      volunteer: volunteer ?? null,
      shift: shift ?? null,
      settings: { ...this.state.settings, ...settings },
      rosterVersion: roster?.version ?? null,
      rosterFetchedAt: roster?.fetchedAt ?? null,
    });
    this.setSync({ lastSyncAt: lastSyncAt ?? null });
    await this.refreshCounts();
  }

  /** Start syncing: now, when the network comes back, and every half minute. */
  start(): void {
    if (this.timer) return;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('pagehide', this.onPageHide);
    this.timer = setInterval(() => void this.tick(), SYNC_EVERY_MS / 3);
    void this.tick(true);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('pagehide', this.onPageHide);
  }

  // The browser's word is enough for offline, not for online: that takes a request the server answers.
  private onOnline = () => {
    this.retryAt = 0;
    void this.tick(true);
  };

  private onOffline = () => this.unreachable();

  /** A request reached the server (whatever it answered). */
  private reached() {
    this.lastContactAt = this.now();
    if (!this.state.sync.online) this.setSync({ online: true });
  }

  /** A request did not reach the server. */
  private unreachable() {
    this.lastContactAt = 0;
    if (this.state.sync.online) this.setSync({ online: false });
  }

  /** Online lapses when nothing has reached the server for a while (or the browser says it is offline). */
  private checkOnline() {
    const lapsed = this.now() - this.lastContactAt > ONLINE_FOR_MS || (typeof navigator !== 'undefined' && !navigator.onLine);
    if (lapsed) this.unreachable();
  }

  // Whatever is pending is recorded if the app is put away or closed.
  private onPageHide = () => void this.settle();

  private lastTick = 0;
  private async tick(force = false) {
    const now = this.now();
    this.checkOnline();
    if (!this.state.device) return;
    if (!force && now - this.lastTick < SYNC_EVERY_MS && this.state.sync.pending === 0) return;
    if (now < this.retryAt) return;
    this.lastTick = now;
    await this.syncNow({ roster: force });
  }

  /**
   * Send the outbox (single flight), then the photos; with nothing to send, ask for the roster's news, so
   * that every sync reaches the server and 在线 and 上次同步 stay true. On a network error or 5xx, try again
   * later, waiting longer each time.
   */
  async syncNow(o: { roster?: boolean } = {}): Promise<void> {
    if (!this.state.device) return;
    this.setSync({ syncing: true });
    try {
      const report = await this.outbox.sync();
      await this.sendPhotos();
      if (o.roster || report.sent === 0 || this.now() - this.lastRosterAt > ROSTER_EVERY_MS) await this.refreshRoster();
      this.failures = 0;
      this.retryAt = 0;
      this.reached();
      const at = this.now();
      await kvSet(this.db, 'lastSyncAt', at);
      this.setSync({ lastSyncAt: at, lastError: null });
    } catch (err) {
      this.failures++;
      this.retryAt = this.now() + Math.min(RETRY_MAX_MS, 2_000 * 2 ** (this.failures - 1));
      const offline = err instanceof RetryableError || err instanceof TypeError || (err instanceof ApiError && err.status >= 500);
      if (offline) this.unreachable();
      else this.reached();
      this.setSync({ lastError: err });
      if (err instanceof ApiError && err.status === 401) await this.forgetDevice('revoked');
    } finally {
      this.setSync({ syncing: false });
      await this.refreshCounts();
    }
  }

  private async send(records: SyncRecord[]): Promise<SyncResponse> {
    try {
      return await call(
        client.api.device.sync.$post(
          { json: { sentAt: new Date(this.now()).toISOString(), records, status: { appVersion: __APP_VERSION__, pending: this.state.sync.pending, rosterVersion: this.state.rosterVersion ?? 0 } } },
          requestOptions({ token: this.token() }),
        ),
      );
    } catch (err) {
      if (err instanceof TypeError || (err instanceof ApiError && err.status >= 500)) throw new RetryableError(err.message, { cause: err });
      throw err;
    }
  }

  async refreshRoster(): Promise<void> {
    if (!this.state.device) return;
    const r = await this.roster.refresh(this.now());
    void warmUpVerification(r.keys);
    this.lastRosterAt = this.now();
    this.set({ rosterVersion: r.version, rosterFetchedAt: r.fetchedAt });
  }

  private async refreshCounts() {
    const [pending, rejected, photos] = await Promise.all([this.outbox.pendingCount(), this.outbox.rejected(), this.db.getAll('photos')]);
    this.setSync({
      pending,
      photos: photos.filter((p) => !p.failed).length,
      rejected: rejected.map((e) => ({ id: e.id, kind: e.record.kind, at: e.record.at, reason: e.reason ?? null })),
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Enrollment and sign-in

  async enroll(code: string): Promise<void> {
    const r = await call(client.api.device.enroll.$post({ json: { code } }));
    await kvSet(this.db, 'device', r);
    this.set({ device: r });
    await this.refreshRoster();
    this.start();
  }

  private async forgetDevice(why: string) {
    await Promise.all([kvDelete(this.db, 'device'), kvDelete(this.db, 'volunteer'), kvDelete(this.db, 'shift')]);
    await this.roster.clear();
    this.unresolved = null;
    this.stopVerdictTimer();
    this.set({ device: null, volunteer: null, shift: null, rosterVersion: null, rosterFetchedAt: null, verdict: null, reading: null });
    this.setSync({ lastError: why });
  }

  /**
   * Sign in with phone and PIN: on the server when it answers; otherwise from this tablet's own record of
   * a sign-in in the last 24 hours. Anyone else is told why not.
   */
  async signIn(phone: string, pin: string): Promise<void> {
    const offlineKey = `signin:${phone}`;
    try {
      const r = await call(client.api.device.login.$post({ json: { phone, pin } }, requestOptions({ token: this.token() })));
      const verifier = await makePinVerifier(pin);
      await kvSet(this.db, offlineKey, { ...verifier, userId: r.user.id, displayName: r.user.displayName, signedInAt: this.now() } satisfies OfflineSignIn);
      await this.becomeVolunteer({ userId: r.user.id, displayName: r.user.displayName, phone, signedInAt: this.now(), offline: false });
      this.reached();
    } catch (err) {
      if (!(err instanceof TypeError)) {
        this.reached();
        throw err; // the server said no: that stands
      }
      this.unreachable();
      const saved = await kvGet<OfflineSignIn>(this.db, offlineKey);
      if (!saved) throw new OfflineSignInError('never');
      if (this.now() - saved.signedInAt > OFFLINE_SIGNIN_MS) throw new OfflineSignInError('expired');
      if (!(await checkPin(pin, saved))) throw new OfflineSignInError('wrong_pin');
      await this.becomeVolunteer({ userId: saved.userId, displayName: saved.displayName, phone, signedInAt: this.now(), offline: true });
    }
  }

  private async becomeVolunteer(v: Volunteer) {
    await kvSet(this.db, 'volunteer', v);
    this.set({ volunteer: v });
  }

  async signOut(): Promise<void> {
    await kvDelete(this.db, 'volunteer');
    this.set({ volunteer: null });
  }

  // -------------------------------------------------------------------------------------------------------
  // Shifts and checks

  async startShift(gateId: number, direction: Direction): Promise<void> {
    const v = this.state.volunteer!;
    const now = this.now();
    const shift: Shift = { id: uuidv7(now), gateId, direction, startedAt: now, counts: { in: 0, out: 0, denied: 0, visitors: 0 } };
    await this.outbox.add({ kind: 'shift_start', id: shift.id, at: new Date(now).toISOString(), gateId, volunteerId: v.userId }, now);
    await kvSet(this.db, 'shift', shift);
    this.sightings.clear();
    this.lastPlacard = null;
    this.set({ shift });
    void this.syncSoon();
  }

  async setDirection(direction: Direction): Promise<void> {
    const shift = { ...this.state.shift!, direction };
    await kvSet(this.db, 'shift', shift);
    this.set({ shift });
  }

  async endShift(handoverNote: string): Promise<void> {
    const { shift, volunteer } = this.state;
    if (!shift || !volunteer) return;
    // A verdict still waiting for the volunteer belongs to this shift.
    await this.settle();
    this.clearVerdict();
    const now = this.now();
    await this.outbox.add({ kind: 'shift_end', id: uuidv7(now), at: new Date(now).toISOString(), shiftId: shift.id, volunteerId: volunteer.userId, handoverNote }, now);
    await kvDelete(this.db, 'shift');
    this.set({ shift: null });
    void this.syncSoon();
  }

  /** A scanned placard: the place it names, if the code is genuine and of this compound. */
  private async placard(code: ParsedCode): Promise<RoundTarget | null> {
    const roster = this.roster.state;
    if (!roster || code.kind !== 'placard' || code.compoundId !== roster.compound.id) return null;
    if ((await verifyCode(code, roster.keys)) !== 'valid') return null;
    return { kind: code.target.kind, id: code.target.id, via: 'placard' };
  }

  /** Decide on a scanned code or a looked-up resident, from the roster on this tablet. */
  decide(subject: Subject, reading: Reading | null = null, direction: Direction = this.state.shift!.direction): Promise<LocalDecision> {
    const roster = this.roster.state;
    if (!roster) throw new TabletError('noRoster');
    return decideLocally(roster, this.recent, subject, direction, this.now(), reading);
  }

  /** Record a decided check (with an override where the volunteer gave one). */
  private async record(d: LocalDecision, override: { reason: string } | null = null): Promise<void> {
    const { shift, volunteer } = this.state;
    if (!shift || !volunteer) return;
    const now = this.now();
    const record = checkRecord(d, { gateId: shift.gateId, shiftId: shift.id, volunteerId: volunteer.userId, now, override });
    await this.outbox.add(record, now);
    this.recordedIds.set(d, record.id);
    const passage = passageOf(record, d);
    if (passage) {
      await this.db.put('recent', passage);
      this.recent.push(passage);
    }
    // A visitor who passes is counted as a visitor, never as a resident's entry or exit.
    const tally = tallyOf(record);
    await this.count(tally === 'turnedBack' ? 'denied' : tally === 'visitor' ? 'visitors' : tally);
    void this.syncSoon();
  }

  /**
   * A visitor registered at the gate, going the way the volunteer chose: decided by the same rules as
   * everyone (the test their phone shows, their host), shown, recorded, and overridable like any denial.
   */
  async checkVisitor(visitor: Visitor, test: VisitorTest | null, direction: Direction): Promise<LocalDecision> {
    const d = await this.decide({ kind: 'visitor', visitor, test }, null, direction);
    await this.showVerdict(d);
    return d;
  }

  /** The record id each decision was recorded under (to void a turned-back record that became a pass). */
  private recordedIds = new WeakMap<LocalDecision, string>();

  /** Take back a check this tablet recorded: a void record, synced like any other (the check stays, voided). */
  private async voidRecord(checkId: string, why: 'reason_overridden_on_rescan') {
    const volunteer = this.state.volunteer;
    if (!volunteer) return;
    const now = this.now();
    const reason = { reason_overridden_on_rescan: '劝返后重新核验，已人工放行' }[why];
    await this.outbox.add({ kind: 'gate_check_void', id: uuidv7(now), at: new Date(now).toISOString(), checkId, reason, volunteerId: volunteer.userId }, now);
    await this.count('denied', -1);
  }

  private async count(what: keyof Shift['counts'], by = 1) {
    const shift = this.state.shift!;
    const next = { ...shift, counts: { ...shift.counts, [what]: Math.max(0, (shift.counts[what] ?? 0) + by) } };
    await kvSet(this.db, 'shift', next);
    this.set({ shift: next });
  }

  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  /** After a record: sync in a moment (a burst of scans goes in one batch). */
  private syncSoon() {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.now() >= this.retryAt) void this.syncNow();
    }, 300);
  }

  // -------------------------------------------------------------------------------------------------------
  // The verdict on screen: shown, then recorded (an allow at once; a deny or review once the volunteer has
  // turned the person back or let them through with a reason), then gone.

  /** The deny or review on screen, until the volunteer resolves it. */
  private unresolved: LocalDecision | null = null;
  /**
   * The last person seen through the camera or a scanner gun: who (the pass the code resolves to, else the
   * text), which way, when last seen, and the verdict they got.
   */
  /** The people seen lately, for the repeat window (sightings.ts). */
  private sightings = new Sightings();
  private lastPlacard: { text: string; at: number } | null = null;
  private deciding = new Set<string>();
  /** Who the temperature step on screen is for (see seePerson). */
  private readingFor: { guard: string; text: string | null } | null = null;
  private verdictTimer: ReturnType<typeof setTimeout> | null = null;
  /** A sheet is open over the verdict: it stays until the sheet is closed. */
  private verdictHeld = false;

  /**
   * A code from the camera or a scanner gun; any code is ignored while a form is open (the camera waits).
   * A placard names a place for its rounds. Anything else is a person: the same person again (the
   * resident the pass is theirs, else the pass, even if its code changed; the same direction) within the
   * policy's repeat window of being last seen is the same passage, shown again as 刚刚已核验 and not
   * recorded again; anyone else is decided, shown and recorded.
   */
  async scan(text: string, opts: { formOpen: boolean }): Promise<ScanOutcome> {
    const now = this.now();
    const code = text.trim();
    if (opts.formOpen) return { kind: 'ignored' };
    const parsed = parseCode(code);
    if (parsed?.kind === 'placard') {
      if (this.lastPlacard?.text === code && now - this.lastPlacard.at < SAME_PLACARD_MS) return { kind: 'ignored' };
      this.lastPlacard = { text: code, at: now };
      return { kind: 'place', target: await this.placard(parsed) };
    }
    return this.seePerson({ kind: 'code', text: code });
  }

  /** A resident looked up by hand (no code): the same person again (a double tap, say) is the same passage too. */
  lookUp(residentId: number): Promise<ScanOutcome> {
    return this.seePerson({ kind: 'manual', residentId });
  }

  /**
   * Decide on a person and show it, unless they were just seen going the same way: then show that again.
   * The very same code text is the same person without deciding again (a held pass, read ten times a
   * second); any other code is decided first, and is the same person only if the rules found the same
   * genuine pass and resident (a forged copy of someone's pass is a forgery, never their earlier 通行).
   */
  private async seePerson(subject: Exclude<Subject, { kind: 'visitor' }>): Promise<ScanOutcome> {
    const now = this.now();
    const direction = this.state.shift!.direction;
    this.sightings.forget(now, (this.roster.state?.policy.rules.repeatScanSeconds ?? REPEAT_SCAN_DEFAULT_S) * 1000);
    const text = subject.kind === 'code' ? subject.text : null;
    const known = text !== null ? this.sightings.byText(text, direction) : this.sightings.byResident((subject as { residentId: number }).residentId, direction);
    if (known) return this.seenAgain(known, now);
    // A second read (or tap) while the first is still being decided, or waits for its temperature, is the
    // same person, not a second check.
    const guard = `${text ?? `resident:${(subject as { residentId: number }).residentId}`}|${direction}`;
    if (this.deciding.has(guard) || (this.state.reading && this.readingFor?.guard === guard)) return { kind: 'ignored' };
    this.deciding.add(guard);
    try {
      const d = await this.decide(subject);
      const same = this.sightings.samePersonAs(d, text);
      if (same) return this.seenAgain(same, now);
      const shown = await this.showVerdict(d);
      if (shown) this.sightings.saw(shown, text, now);
      else this.readingFor = { guard, text };
    } finally {
      this.deciding.delete(guard);
    }
    return { kind: 'verdict' };
  }

  private seenAgain(s: Sighting, now: number): ScanOutcome {
    s.seenAt = now;
    // Still on screen (the camera reads a held pass many times a second): nothing changes.
    const onScreen = this.state.verdict;
    if (onScreen && (onScreen === s.shown || onScreen.repeatOf === s.shown.at)) return { kind: 'ignored' };
    this.showRepeat(s.shown, s.overridden === true);
    return { kind: 'verdict' };
  }

  /**
   * Put a decision on screen; its record follows at once (a deny or review when resolved, or when the
   * next verdict replaces it: turned back).
   */
  async showVerdict(d: LocalDecision): Promise<ShownVerdict | null> {
    if (needsReading(d)) {
      await this.askReading(d);
      return null;
    }
    const previous = this.unresolved;
    this.unresolved = d.verdict === 'allow' ? null : d;
    this.repeated = null;
    const shown: ShownVerdict = { decision: d, at: this.now() };
    this.set({ verdict: shown });
    this.armVerdictTimer();
    if (previous) await this.record(previous);
    if (d.verdict === 'allow') await this.record(d);
    return shown;
  }

  /** A deny or review shown again: already recorded (turned back), unless the volunteer now overrides it. */
  private repeated: LocalDecision | null = null;

  /** The same person's verdict again, marked 刚刚已核验: nothing new is recorded (a deny still on screen stays unresolved). */
  private showRepeat(earlier: ShownVerdict, overridden: boolean) {
    const d = earlier.decision;
    // The screen held someone else's deny or review: replacing it turns that person back.
    const previous = this.unresolved;
    this.unresolved = null;
    if (previous) void this.record(previous);
    this.repeated = d.verdict === 'allow' || overridden ? null : d;
    this.set({ verdict: { decision: d, at: this.now(), repeatOf: earlier.at, ...(overridden ? { overridden } : {}) } });
    this.armVerdictTimer();
  }

  /**
   * The policy wants a temperature first: the check waits for it (temperature.tsx), unresolved, so that
   * leaving it (cancel, the shift's end, the next person) records it as turned back without one.
   */
  private async askReading(d: LocalDecision): Promise<void> {
    await this.settle();
    this.clearVerdict();
    this.unresolved = d;
    this.set({ reading: d });
  }

  /** The temperature taken: decided again with it, and the verdict shown and recorded as always. */
  async takeReading(reading: Reading): Promise<void> {
    const waiting = this.state.reading;
    if (!waiting) return;
    this.unresolved = null;
    this.set({ reading: null });
    // While it is decided again, the same pass read meanwhile is this person, not a new check.
    const who = this.readingFor;
    if (who) this.deciding.add(who.guard);
    try {
      const d = await this.decide(waiting.subject, reading, waiting.direction);
      const shown = await this.showVerdict(d);
      // The person the reading was for is the one just seen (a pass still held up shows this verdict again).
      if (shown) this.sightings.saw(shown, who?.text ?? null, this.now());
    } finally {
      if (who) this.deciding.delete(who.guard);
      this.readingFor = null;
    }
  }

  /**
   * No temperature could be taken: the person is turned back, recorded without a reading. Their pass, still
   * held up within the repeat window, is that passage shown again, not a new ask and a second record.
   */
  async cancelReading(): Promise<void> {
    const waiting = this.state.reading;
    const who = this.readingFor;
    this.readingFor = null;
    await this.dismissVerdict();
    if (waiting) this.sightings.saw({ decision: waiting, at: this.now() }, who?.text ?? null, this.now());
  }

  /** Back to scanning (a deny or review not overridden is recorded as turned back). */
  dismissVerdict(): Promise<void> {
    const settled = this.settle();
    this.clearVerdict();
    return settled;
  }

  /**
   * Let the person on screen through against the verdict, with the volunteer's reason. A deny shown again
   * after it was recorded as turned back gets a record of its own: the person did pass, with the override.
   */
  async overrideVerdict(reason: string): Promise<void> {
    const again = this.repeated;
    this.repeated = null;
    const d = again ?? this.unresolved;
    // The same person held up again after this is still the same passage: shown, not overridden twice.
    if (d) this.sightings.overridden(d);
    if (again && !this.unresolved) {
      // Turned back a moment ago (the deny timed out), let through now: the one passage it was, not a
      // turned-back check and a pass.
      const turnedBack = this.recordedIds.get(again);
      if (turnedBack) await this.voidRecord(turnedBack, 'reason_overridden_on_rescan');
      await this.record(again, { reason });
    } else await this.settle({ reason });
    this.clearVerdict();
  }

  /**
   * While a sheet is open the verdict stays; once none is, it goes back to scanning by itself after its
   * full time again.
   */
  holdVerdict(held: boolean): void {
    this.verdictHeld = held;
    this.armVerdictTimer();
  }

  private async settle(override: { reason: string } | null = null) {
    const d = this.unresolved;
    this.unresolved = null;
    if (d) await this.record(d, override);
  }

  private clearVerdict() {
    this.repeated = null;
    this.stopVerdictTimer();
    if (this.state.verdict || this.state.reading) this.set({ verdict: null, reading: null });
  }

  private armVerdictTimer() {
    this.stopVerdictTimer();
    const v = this.state.verdict;
    if (!v || this.verdictHeld) return;
    this.verdictTimer = setTimeout(() => {
      this.verdictTimer = null;
      void this.dismissVerdict();
    }, VERDICT_MS[v.decision.verdict]);
  }

  private stopVerdictTimer() {
    if (this.verdictTimer) clearTimeout(this.verdictTimer);
    this.verdictTimer = null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Disinfection rounds

  /**
   * Record a round as the volunteer filled it in: a done round with its photo and disinfectant (remembered
   * for next time), a skipped one with its reason.
   */
  async finishRound(draft: RoundDraft, photo: Blob | null): Promise<void> {
    const now = this.now();
    const done = draft.status === 'done';
    const record: DisinfectionRecord = {
      kind: 'disinfection',
      id: uuidv7(now),
      at: new Date(now).toISOString(),
      volunteerId: this.state.volunteer!.userId,
      shiftId: this.state.shift?.id ?? null,
      target: { kind: draft.target.kind, id: draft.target.id },
      slotDate: draft.slotDate,
      slotTime: draft.slotTime,
      status: draft.status,
      items: draft.items,
      disinfectant: done ? draft.disinfectant : null,
      concentration: done ? draft.concentration.trim() || null : null,
      note: draft.note.trim() || null,
      skipReason: done ? null : draft.skipReason,
      startedAt: new Date(draft.startedAt).toISOString(),
      finishedAt: new Date(now).toISOString(),
      via: draft.target.via,
    };
    await this.recordRound(record, done ? photo : null);
    if (done) await this.remember('disinfectant', { disinfectant: draft.disinfectant, concentration: draft.concentration });
  }

  /** Record a round (and keep its photo to send once the round has reached the server). */
  private async recordRound(record: DisinfectionRecord, photo: Blob | null): Promise<void> {
    await this.outbox.add(record, this.now());
    if (photo) await this.db.put('photos', { recordId: record.id, blob: photo });
    // This tablet's own rounds of the last days, to show slot states while offline.
    const mine = ((await kvGet<LocalRound[]>(this.db, 'rounds')) ?? []).filter((r) => Date.parse(r.finishedAt) > this.now() - 3 * 86_400_000);
    mine.push({ id: record.id, target: record.target, slotDate: record.slotDate, slotTime: record.slotTime, status: record.status, finishedAt: record.finishedAt, operator: this.state.volunteer?.displayName ?? null });
    await kvSet(this.db, 'rounds', mine);
    await this.refreshCounts();
    void this.syncSoon();
  }

  /**
   * A resident ticked off the door-to-door list: sampled at home now, result pending, recorded through the
   * outbox like every record. Kept on the tablet too, so they leave its list at once, offline.
   */
  async tickOffAtHome(residentId: number): Promise<void> {
    const now = this.now();
    const at = new Date(now).toISOString();
    await this.outbox.add({ kind: 'test_result', id: uuidv7(now), at, residentId, volunteerId: this.state.volunteer!.userId, sampledAt: at, result: 'pending', source: 'home' }, now);
    // Ticks of the last two weeks (no round lasts longer).
    const ticks = ((await kvGet<{ residentId: number; at: number }[]>(this.db, 'homeTicks')) ?? []).filter((x) => x.at > now - 14 * 86_400_000);
    ticks.push({ residentId, at: now });
    await kvSet(this.db, 'homeTicks', ticks);
    await this.refreshCounts();
    void this.syncSoon();
  }

  /** Residents this tablet ticked off at their doors lately. */
  async homeTicks(): Promise<number[]> {
    return ((await kvGet<{ residentId: number; at: number }[]>(this.db, 'homeTicks')) ?? []).map((x) => x.residentId);
  }

  /** The rounds of a day this tablet knows of: its own, and (when online) everyone's from the server. */
  async roundsOf(date: string): Promise<LocalRound[]> {
    const mine = ((await kvGet<LocalRound[]>(this.db, 'rounds')) ?? []).filter((r) => r.slotDate === date);
    try {
      const r = await call(client.api.device.disinfection.$get({ query: { date } }, requestOptions({ token: this.token() })));
      this.reached();
      const ids = new Set(mine.map((x) => x.id));
      return [...mine, ...r.rounds.filter((x) => !ids.has(x.id))];
    } catch (err) {
      if (err instanceof TypeError) this.unreachable();
      return mine;
    }
  }

  /** Photos follow their rounds: sent once the round is on the server, retried until they land. */
  private async sendPhotos(): Promise<void> {
    const photos = await this.db.getAll('photos');
    const status = await this.outbox.statusOf(photos.map((p) => p.recordId));
    for (const photo of photos) {
      if (photo.failed || status.get(photo.recordId) === 'pending') continue;
      if (status.get(photo.recordId) === 'rejected') {
        await this.db.put('photos', { ...photo, failed: 'its round was rejected' });
        continue;
      }
      try {
        // The route reads the raw bytes (no validator describes them), so the body goes in as the request's own.
        await call(client.api.device.photos[':recordId'].$put({ param: { recordId: photo.recordId } }, { ...requestOptions({ token: this.token() }), init: { body: photo.blob } }));
        await this.db.delete('photos', photo.recordId);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 413 || err.status === 415)) await this.db.put('photos', { ...photo, failed: err.message });
        else if (!(err instanceof ApiError && err.code === 'round_not_synced')) throw err instanceof TypeError || (err instanceof ApiError && err.status >= 500) ? new RetryableError(err.message) : err;
      }
    }
  }

  /** A small remembered value (the disinfectant used last time, say). */
  remembered<T>(key: string): Promise<T | undefined> {
    return kvGet<T>(this.db, `remember:${key}`);
  }

  remember(key: string, value: unknown): Promise<void> {
    return kvSet(this.db, `remember:${key}`, value);
  }

  async saveSettings(patch: Partial<Settings>): Promise<void> {
    const settings = { ...this.state.settings, ...patch };
    await kvSet(this.db, 'settings', settings);
    this.set({ settings });
  }
}


/** Something the tablet itself refuses (not the server): its words are the tablet's (tablet.error.*). */
export class TabletError extends Error {
  constructor(readonly key: 'notEnrolled' | 'noRoster') {
    super(key);
  }
}

export class OfflineSignInError extends Error {
  constructor(readonly why: 'never' | 'expired' | 'wrong_pin') {
    super(why);
  }
}
