import type { AuditAction } from '../core/audit.js';
import { recordAudit } from '../audit/queries.js';
import { AppError, TooManyAttemptsError } from '../errors.js';
import type { Actor, AuthDevice, AuthUser, Role } from './actor.js';
import type { AppDeps } from '../deps.js';
import * as q from './queries.js';
import { hashSecret, newToken, normalizeEnrollmentCode, sha256, verifySecret } from './secrets.js';

/** At most this many failed sign-ins per account, per device and per address in any hour. */
export const MAX_FAILURES_PER_HOUR = 100;
const HOUR = 3_600_000;
const OFFICE_SESSION_DAYS = 7;
/** A volunteer's tablet session covers a long shift; offline re-sign-in is the tablet's own business. */
const VOLUNTEER_IDLE_MINUTES = 12 * 60;
const VOLUNTEER_SESSION_HOURS = 24;

export const SESSION_COOKIE = 'gp_session';

// A hash nobody's password matches, made with the same cost as real ones: an unknown user costs the same
// time to reject as a wrong password.
const dummyHashes = new Map<number, Promise<string>>();
function dummyHash(cost: number): Promise<string> {
  let h = dummyHashes.get(cost);
  if (!h) {
    h = hashSecret(newToken('dummy'), cost);
    dummyHashes.set(cost, h);
  }
  return h;
}

function since(deps: AppDeps, ms: number): string {
  return new Date(deps.now().getTime() - ms).toISOString();
}

/** Each attempt deletes at most this many failures older than the hour: more than the 3 rows it may add. */
export const PRUNE_BATCH = 32;

/**
 * Count an attempt as failed under every key before its secret is checked, or refuse it (429) when any key
 * already has its hour's worth. Counting and recording in one locked transaction is what makes the limit
 * hold when many attempts arrive at once: checked first and recorded after the slow scrypt, 150 guesses
 * sent together all passed the check. An attempt in flight counts like a failure until it succeeds and
 * gives its reservation back (`releaseAttempt`); one that fails keeps it as its failure record, and one
 * that dies half-way (a crash, a 500) keeps it too: the throttle fails closed.
 * Old failures are pruned here too, a few per attempt, so the table holds about one hour of them.
 */
async function reserveAttempt(deps: AppDeps, keys: string[]): Promise<number[]> {
  const at = deps.now().toISOString();
  const from = since(deps, HOUR);
  const reserved = await deps.database.db.transaction().execute(async (tx) => {
    await q.lockFailureKeys(tx, keys);
    let full = false;
    for (const key of keys) full ||= (await q.countFailures(tx, key, from)) >= MAX_FAILURES_PER_HOUR;
    const ids = full ? null : await q.insertFailures(tx, keys, at);
    // Refused attempts prune too (and commit it): a flood of them must not stop the pruning.
    await q.pruneFailures(tx, from, PRUNE_BATCH);
    return ids;
  });
  if (!reserved) throw new TooManyAttemptsError();
  return reserved;
}

/** A good sign-in is not a failure: take its reservation back. */
function releaseAttempt(deps: AppDeps, reserved: number[]): Promise<void> {
  return q.deleteFailures(deps.database.db, reserved);
}

export const accountKey = (name: string) => `account:${name.trim().toLowerCase()}`;

function toAuthUser(
  u: { id: number; role: string; displayName: string; username: string | null; phone: string | null },
  compoundIds: number[],
): AuthUser {
  return {
    id: u.id,
    role: u.role as Role,
    displayName: u.displayName,
    username: u.username,
    phone: u.phone,
    compoundIds,
  };
}

async function createSession(
  deps: AppDeps,
  userId: number,
  deviceId: number | null,
  idleMinutes: number,
  lifetimeMs: number,
): Promise<{ token: string; expiresAt: string }> {
  const token = newToken('gps_');
  const at = deps.now().toISOString();
  const expiresAt = new Date(deps.now().getTime() + lifetimeMs).toISOString();
  await q.insertSession(deps.database.db, { id: sha256(token), userId, deviceId, at, idleMinutes, expiresAt });
  return { token, expiresAt };
}

export async function isSetupNeeded(deps: AppDeps): Promise<boolean> {
  return (await q.countUsers(deps.database.db)) === 0;
}

/** First run: create the admin. Refused for good once any user exists. */
export async function setupAdmin(
  deps: AppDeps,
  input: { username: string; displayName: string; password: string },
  ip: string,
): Promise<{ user: AuthUser; token: string }> {
  const passwordHash = await hashSecret(input.password, deps.passwordCost);
  const at = deps.now().toISOString();
  const userId = await deps.database.db.transaction().execute(async (tx) => {
    if ((await q.countUsers(tx)) > 0) {
      throw new AppError(409, 'already_set_up');
    }
    const id = await q.insertUser(tx, {
      username: input.username,
      phone: null,
      displayName: input.displayName,
      role: 'admin',
      passwordHash,
      pinHash: null,
      at,
    });
    await recordAudit(tx, { actor: null, action: 'setup.admin_created', entity: 'user', entityId: id, at, ip });
    return id;
  });
  const session = await createSession(deps, userId, null, deps.config.sessionIdleMinutes, OFFICE_SESSION_DAYS * 24 * HOUR);
  const user = toAuthUser({ id: userId, role: 'admin', displayName: input.displayName, username: input.username, phone: null }, []);
  return { user, token: session.token };
}

/** The failure itself is already counted: its reservation stays. */
async function auditFailure(deps: AppDeps, action: AuditAction, details: unknown, ip: string, deviceId?: number) {
  const at = deps.now().toISOString();
  await recordAudit(deps.database.db, {
    actor: null,
    action,
    details,
    ip,
    at,
    ...(deviceId ? { entity: 'device', entityId: deviceId } : {}),
  });
}

/** Office sign-in with username and password. */
export async function loginOffice(
  deps: AppDeps,
  input: { username: string; password: string },
  ip: string,
): Promise<{ user: AuthUser; token: string; expiresAt: string }> {
  const reserved = await reserveAttempt(deps, [accountKey(input.username), `ip:${ip}`]);
  const db = deps.database.db;
  const user = await q.findUserByUsername(db, input.username.trim());
  const ok = await verifySecret(input.password, user?.passwordHash ?? (await dummyHash(deps.passwordCost)));
  if (!user?.passwordHash || !ok || user.role === 'volunteer') {
    await auditFailure(deps, 'login.failed', { username: input.username }, ip);
    throw new AppError(401, 'invalid_credentials', { via: 'password' });
  }
  if (user.disabledAt) {
    await auditFailure(deps, 'login.disabled', { username: input.username }, ip);
    throw new AppError(403, 'account_disabled', { ask: 'admin' });
  }
  const session = await createSession(deps, user.id, null, deps.config.sessionIdleMinutes, OFFICE_SESSION_DAYS * 24 * HOUR);
  await releaseAttempt(deps, reserved);
  const at = deps.now().toISOString();
  await q.markLoggedIn(db, user.id, at);
  await recordAudit(db, { actor: null, action: 'login', entity: 'user', entityId: user.id, at, ip });
  return { user: toAuthUser(user, await q.userCompoundIds(db, user.id)), token: session.token, expiresAt: session.expiresAt };
}

/** A volunteer (or manager) signs in on an enrolled tablet with phone number and PIN. */
export async function loginWithPin(
  deps: AppDeps,
  device: AuthDevice,
  input: { phone: string; pin: string },
  ip: string,
): Promise<{ user: AuthUser; token: string; expiresAt: string }> {
  const reserved = await reserveAttempt(deps, [accountKey(input.phone), `device:${device.id}`, `ip:${ip}`]);
  const db = deps.database.db;
  const user = await q.findUserByPhone(db, input.phone.trim());
  const ok = await verifySecret(input.pin, user?.pinHash ?? (await dummyHash(deps.passwordCost)));
  const compoundIds = user ? await q.userCompoundIds(db, user.id) : [];
  const inScope = user && (user.role === 'admin' || compoundIds.includes(device.compoundId));
  if (!user?.pinHash || !ok || !inScope || user.role === 'supervisor') {
    await auditFailure(deps, 'pin_login.failed', { phone: input.phone }, ip, device.id);
    throw new AppError(401, 'invalid_credentials', { via: 'pin' });
  }
  if (user.disabledAt) {
    await auditFailure(deps, 'pin_login.disabled', { phone: input.phone }, ip, device.id);
    throw new AppError(403, 'account_disabled', { ask: 'manager' });
  }
  const session = await createSession(deps, user.id, device.id, VOLUNTEER_IDLE_MINUTES, VOLUNTEER_SESSION_HOURS * HOUR);
  await releaseAttempt(deps, reserved);
  const at = deps.now().toISOString();
  await q.markLoggedIn(db, user.id, at);
  await recordAudit(db, {
    actor: { kind: 'device', device },
    action: 'pin_login',
    entity: 'user',
    entityId: user.id,
    compoundId: device.compoundId,
    at,
    ip,
  });
  return { user: toAuthUser(user, compoundIds), token: session.token, expiresAt: session.expiresAt };
}

/** A tablet trades the manager's one-time code for its device credential. */
export async function enrollDevice(
  deps: AppDeps,
  code: string,
  ip: string,
): Promise<{ token: string; device: AuthDevice; compound: { id: number; name: string; timezone: string } }> {
  const reserved = await reserveAttempt(deps, [`ip:${ip}`]);
  const db = deps.database.db;
  const at = deps.now().toISOString();
  const token = newToken('gpd_');
  const found = await db.transaction().execute(async (tx) => {
    const device = await q.findDeviceByEnrollmentHash(tx, sha256(normalizeEnrollmentCode(code)));
    if (!device || device.revokedAt || !device.enrollmentExpiresAt || device.enrollmentExpiresAt < at) return undefined;
    await q.markDeviceEnrolled(tx, device.id, sha256(token), at);
    await recordAudit(tx, {
      actor: null,
      action: 'device.enrolled',
      entity: 'device',
      entityId: device.id,
      compoundId: device.compoundId,
      at,
      ip,
    });
    return device;
  });
  if (!found) {
    await auditFailure(deps, 'device.enroll_failed', {}, ip);
    throw new AppError(401, 'invalid_enrollment_code');
  }
  await releaseAttempt(deps, reserved);
  return {
    token,
    device: { id: found.id, compoundId: found.compoundId, name: found.name },
    compound: { id: found.compoundId, name: found.compoundName, timezone: found.timezone },
  };
}

/**
 * Is an office session that opened a long-lived stream (the live feed) still good for this compound?
 * Signed out, expired, disabled or taken off the compound: no. Checked again on every heartbeat.
 */
export async function sessionStillReads(deps: AppDeps, sessionId: string, compoundId: number): Promise<boolean> {
  const s = await q.findSessionWithUser(deps.database.db, sessionId);
  const now = deps.now().getTime();
  if (!s || s.disabledAt || Date.parse(s.expiresAt) <= now || Date.parse(s.lastSeenAt) + s.idleMinutes * 60_000 <= now) return false;
  if (s.role === 'admin' || s.role === 'supervisor') return true;
  return (await q.userCompoundIds(deps.database.db, s.userId)).includes(compoundId);
}

/** Resolve a session token (cookie or bearer gps_) or a device token (bearer gpd_) to an actor. */
export async function resolveActor(
  deps: AppDeps,
  creds: { cookie?: string | undefined; bearer?: string | undefined },
): Promise<Actor | null> {
  const db = deps.database.db;
  const now = deps.now();
  const bearer = creds.bearer;
  if (bearer?.startsWith('gpd_')) {
    const device = await q.findDeviceByTokenHash(db, sha256(bearer));
    if (!device || device.revokedAt) return null;
    // Marking a tablet seen at most once a minute keeps a write off every request.
    if (!device.lastSeenAt || now.getTime() - Date.parse(device.lastSeenAt) > 60_000) {
      await q.touchDevice(db, device.id, now.toISOString());
    }
    return { kind: 'device', device: { id: device.id, compoundId: device.compoundId, name: device.name } };
  }
  const token = bearer?.startsWith('gps_') ? bearer : creds.cookie;
  if (!token) return null;
  const s = await q.findSessionWithUser(db, sha256(token));
  if (!s) return null;
  const idleEnd = Date.parse(s.lastSeenAt) + s.idleMinutes * 60_000;
  if (s.disabledAt || Date.parse(s.expiresAt) <= now.getTime() || idleEnd <= now.getTime()) {
    await q.deleteSession(db, s.sessionId);
    return null;
  }
  if (now.getTime() - Date.parse(s.lastSeenAt) > 60_000) await q.touchSession(db, s.sessionId, now.toISOString());
  const user = toAuthUser(
    { id: s.userId, role: s.role, displayName: s.displayName, username: s.username, phone: s.phone },
    await q.userCompoundIds(db, s.userId),
  );
  if (s.deviceId !== null) {
    // A tablet session is only as good as its tablet: it must come as a bearer token, and the device must
    // still be enrolled.
    if (!bearer) return null;
    const device = await q.findDeviceById(db, s.deviceId);
    if (!device || device.revokedAt) return null;
    return { kind: 'volunteer', user, device: { id: device.id, compoundId: device.compoundId, name: device.name }, sessionId: s.sessionId };
  }
  if (bearer) return null; // office sessions travel only in their HttpOnly cookie
  return { kind: 'office', user, sessionId: s.sessionId };
}

export async function logout(deps: AppDeps, actor: Actor, ip: string): Promise<void> {
  if (actor.kind === 'device') throw new AppError(400, 'not_a_session');
  const db = deps.database.db;
  await q.deleteSession(db, actor.sessionId);
  await recordAudit(db, { actor, action: 'logout', entity: 'user', entityId: actor.user.id, at: deps.now().toISOString(), ip });
}
