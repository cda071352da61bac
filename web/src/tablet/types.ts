import type { Direction } from '../../../server/core/decide';
import type { client, Data } from '../client';
import type { DisinfectionRecord } from '../../../server/core/sync';
import type { LocalDecision } from './gate';

/** The shapes of what the tablet holds: the controller's state, and what its screens hand it back. */

/** The tablet's credential and who it is, as enrollment answers (kept until the device is revoked). */
export type DeviceInfo = Data<typeof client.api.device.enroll.$post>;

export interface Volunteer {
  userId: number;
  displayName: string;
  phone: string;
  signedInAt: number;
  /** Signed in with the network down (checked against this tablet's own record of their PIN). */
  offline: boolean;
}

export interface Shift {
  id: string;
  gateId: number;
  direction: Direction;
  startedAt: number;
  /** Residents in and out, anyone turned back, visitors let through (absent in a shift saved before visitors were counted). */
  counts: { in: number; out: number; denied: number; visitors?: number };
}

export interface Settings {
  muted: boolean;
  /** The camera the volunteer chose (null: the back camera). */
  cameraId: string | null;
  /** Off when the volunteer works with a scanner gun only. */
  cameraOn: boolean;
}

export interface SyncStatus {
  online: boolean;
  syncing: boolean;
  pending: number;
  /** Photos still to send (they follow their rounds). */
  photos: number;
  /** Records the server refused, each with its reason (code, params, English message: shown with rejectionText). */
  rejected: { id: string; kind: string; at: string; reason: { code: string; params?: unknown; message: string } | null }[];
  lastSyncAt: number | null;
  /** The last sync's failure, shown with errorText (messages.ts) in the tablet's language; 'revoked' when the server forgot this tablet. */
  lastError: unknown;
}

/** The verdict on screen: a new one for each decision shown, even the same person's again. */
export interface ShownVerdict {
  decision: LocalDecision;
  at: number;
  /**
   * The same person again within the policy's repeat window: the verdict of `at`, shown again (刚刚已核验),
   * with nothing new recorded.
   */
  repeatOf?: number;
  /** …and the volunteer let them through against it then. */
  overridden?: boolean;
}

export interface TabletState {
  ready: boolean;
  device: DeviceInfo | null;
  volunteer: Volunteer | null;
  shift: Shift | null;
  settings: Settings;
  sync: SyncStatus;
  rosterVersion: number | null;
  rosterFetchedAt: number | null;
  verdict: ShownVerdict | null;
  /** A check waiting for the person's temperature before its verdict (temperature.tsx). */
  reading: LocalDecision | null;
}

/** What became of a scanned code. */
export type ScanOutcome =
  /** The same code again within seconds, or a form is open. */
  | { kind: 'ignored' }
  /** A person's pass: its verdict is on screen. */
  | { kind: 'verdict' }
  /** A placard: the place it names (null when it is not genuine or not of this compound). */
  | { kind: 'place'; target: RoundTarget | null };

export interface RoundTarget {
  kind: 'building' | 'point';
  id: number;
  /** Opened by scanning the place's placard (proof of presence), or picked from a list. */
  via: 'placard' | 'manual';
}

/** A round as the volunteer filled it in; the controller makes the record. */
export interface RoundDraft {
  target: RoundTarget;
  slotDate: string;
  slotTime: string;
  status: 'done' | 'skipped';
  items: DisinfectionRecord['items'];
  disinfectant: string;
  concentration: string;
  note: string;
  skipReason: string | null;
  /** When the sheet was opened (epoch ms). */
  startedAt: number;
}

export interface LocalRound {
  id: string;
  target: { kind: 'building' | 'point'; id: number };
  slotDate?: string;
  slotTime: string;
  status: 'done' | 'skipped';
  finishedAt: string;
  operator: string | null;
}
