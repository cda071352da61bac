import type { Generated, Selectable, Updateable } from 'kysely';

// One file for every table's declaration (long because the schema is), as the app sees them: camelCase (the CamelCasePlugin maps to snake_case SQL).
// Times are ISO-8601 UTC strings; booleans 0/1; JSON columns are strings parsed in queries.

export interface CompoundTable {
  id: Generated<number>;
  name: string;
  timezone: string;
  rosterVersion: Generated<number>;
  /** When an admin ended the compound's epidemic-control period (its personal data was deleted then). */
  lockdownEndedAt: Generated<string | null>;
  createdAt: string;
  updatedAt: string;
}

export interface GateTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface BuildingTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  unitCount: Generated<number>;
  floorCount: Generated<number>;
  elevatorCount: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface PointTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  kind: string;
  createdAt: string;
  updatedAt: string;
}

export interface HouseholdTable {
  id: Generated<number>;
  compoundId: number;
  buildingId: number;
  unit: string;
  room: string;
  quarantineUntil: string | null;
  quarantineNote: string | null;
  rv: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface ResidentTable {
  id: Generated<number>;
  compoundId: number;
  householdId: number;
  name: string;
  phone: string | null;
  note: string | null;
  deletedAt: string | null;
  rv: Generated<number>;
  createdAt: string;
  updatedAt: string;
  /** 1: has no phone (a printed card may still pass where the policy accepts cards only for them). */
  noPhone: Generated<number>;
}

export interface UserTable {
  id: Generated<number>;
  username: string | null;
  phone: string | null;
  displayName: string;
  role: string;
  passwordHash: string | null;
  pinHash: string | null;
  disabledAt: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UserCompoundTable {
  userId: number;
  compoundId: number;
}

export interface DeviceTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  tokenHash: string | null;
  enrollmentCodeHash: string | null;
  enrollmentExpiresAt: string | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
  /** When the tablet last downloaded its roster (snapshot or delta). */
  rosterFetchedAt: string | null;
  /** JSON the tablet reports about itself: app version, records waiting, roster version. */
  status: string | null;
  createdBy: number | null;
  createdAt: string;
}

export interface SessionTable {
  /** sha256 of the token: a leaked database does not hand out live sessions. */
  id: string;
  userId: number;
  deviceId: number | null;
  createdAt: string;
  lastSeenAt: string;
  idleMinutes: number;
  expiresAt: string;
}

export interface LoginFailureTable {
  id: Generated<number>;
  key: string;
  at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  userId: number | null;
  deviceId: number | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  compoundId: number | null;
  details: string | null;
  ip: string | null;
}

export interface SigningKeyTable {
  kid: string;
  publicKey: string;
  privateKey: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface PassTable {
  id: Generated<number>;
  compoundId: number;
  residentId: number;
  code: string;
  status: 'active' | 'revoked';
  issuedAt: string;
  issuedBy: number | null;
  revokedAt: string | null;
  revokedBy: number | null;
  revokeReason: string | null;
  rv: Generated<number>;
}

/** A single-use, expiring link that binds a phone to a pass (only its token's sha256 is kept). */
export interface PhoneActivationTable {
  id: Generated<number>;
  compoundId: number;
  passId: number;
  tokenHash: string;
  createdAt: string;
  createdBy: number | null;
  expiresAt: string;
  usedAt: string | null;
}

/** The phone a pass is bound to (its Ed25519 public key); the current one has no unboundAt. */
export interface PhoneBindingTable {
  id: Generated<number>;
  compoundId: number;
  passId: number;
  publicKey: string;
  activationId: number;
  boundAt: string;
  unboundAt: string | null;
  unboundBy: number | null;
  unboundReason: string | null;
  lastRequestAt: string | null;
  rv: Generated<number>;
}

export interface TestRoundTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  fileName: string | null;
  importedAt: string;
  importedBy: number | null;
  matched: number;
  unmatched: number;
  /** JSON: the row-by-row import report. */
  report: string;
}

export interface TestResultTable {
  id: Generated<number>;
  compoundId: number;
  residentId: number;
  sampledAt: string;
  result: 'negative' | 'positive' | 'pending';
  source: 'import' | 'manual' | 'gate' | 'home';
  roundId: number | null;
  recordedBy: number | null;
  deviceId: number | null;
  recordId: string | null;
  createdAt: string;
  rv: Generated<number>;
}

export interface PolicyTable {
  id: Generated<number>;
  compoundId: number;
  version: number;
  /** JSON: PolicyRules (server/core/policy.ts). */
  rules: string;
  note: string | null;
  createdAt: string;
  createdBy: number | null;
}

export interface ShiftTable {
  id: string;
  compoundId: number;
  deviceId: number;
  gateId: number;
  volunteerId: number;
  startedAt: string;
  receivedAt: string;
  endRecordId: string | null;
  endedAt: string | null;
  handoverNote: string | null;
  /** When the idle sweep closed the shift (its tablet went silent); endedAt is then its last activity. */
  autoClosedAt: string | null;
}

export interface GateCheckTable {
  id: string;
  compoundId: number;
  deviceId: number | null;
  gateId: number;
  shiftId: string | null;
  volunteerId: number | null;
  direction: 'in' | 'out';
  subject: 'code' | 'manual' | 'visitor';
  code: string | null;
  passId: number | null;
  residentId: number | null;
  /** The person's household, or a visitor's host household. */
  householdId: number | null;
  /** JSON: { name, phone, reason } for visitors. */
  visitor: string | null;
  /** JSON: the test as the deciding tablet saw it. */
  testStatus: string | null;
  verdict: 'allow' | 'deny' | 'review';
  /** JSON: Reason[] as the tablet decided. */
  reasons: string;
  overrideReason: string | null;
  overrideBy: number | null;
  /** 1 when the person went through (allowed, or overridden). */
  passed: number;
  policyVersion: number | null;
  rosterVersion: number | null;
  occurredAt: string;
  receivedAt: string;
  clockSkewMs: number | null;
  /** The person as they stood when the check was recorded (name; household's or host's address). */
  personName: string | null;
  buildingName: string | null;
  unit: string | null;
  room: string | null;
  /** Body temperature taken at the gate, °C. */
  temperatureC: number | null;
  /** 1: a normal temperature, confirmed with one tap (no number typed). */
  temperatureNormal: number | null;
  rv: Generated<number>;
}

export interface GateCheckVoidTable {
  id: string;
  compoundId: number;
  gateCheckId: string;
  reason: string;
  userId: number | null;
  deviceId: number | null;
  createdAt: string;
  receivedAt: string;
  rv: Generated<number>;
}

export interface GateCheckAnalysisTable {
  gateCheckId: string;
  /** The server's verdict on its own data at the check's time (null for visitors: no rules apply). */
  verdict: string | null;
  /** JSON: Reason[]. */
  reasons: string | null;
  analyzedAt: string;
}

export interface AnalysisQueueTable {
  id: Generated<number>;
  compoundId: number;
  /** JSON: ids of the gate checks a batch stored. */
  checkIds: string;
  /** JSON: ids of the checks it voided. */
  voidedCheckIds: string;
  createdAt: string;
}

export interface ConflictTable {
  id: Generated<number>;
  compoundId: number;
  gateCheckId: string;
  kind: string;
  details: string;
  createdAt: string;
  reviewedAt: string | null;
  reviewedBy: number | null;
  reviewNote: string | null;
}

export interface DisinfectionScheduleTable {
  id: Generated<number>;
  compoundId: number;
  version: number;
  /** JSON: SlotSpec[] (server/core/disinfection.ts). */
  slots: string;
  effectiveFrom: string;
  createdAt: string;
  createdBy: number | null;
}

export interface ChecklistTemplateTable {
  id: Generated<number>;
  compoundId: number;
  /** 'building', or 'point:<kind>' (point:sampling, point:gate, point:other). */
  target: string;
  /** JSON: ChecklistItem[]. */
  items: string;
  updatedAt: string;
  updatedBy: number | null;
}

export interface DisinfectionRecordTable {
  id: string;
  compoundId: number;
  targetKind: 'building' | 'point';
  targetId: number;
  slotDate: string;
  slotTime: string;
  status: 'done' | 'skipped';
  /** JSON: { key, label, done }[]. */
  items: string;
  disinfectant: string | null;
  concentration: string | null;
  note: string | null;
  skipReason: string | null;
  startedAt: string;
  finishedAt: string;
  /** 'placard' (scanned at the building) or 'manual' (picked from a list). */
  via: 'placard' | 'manual';
  operatorId: number | null;
  deviceId: number | null;
  shiftId: string | null;
  receivedAt: string;
  clockSkewMs: number | null;
}

export interface DisinfectionPhotoTable {
  recordId: string;
  contentType: string;
  bytes: Uint8Array;
  size: number;
  width: number;
  height: number;
  receivedAt: string;
}

export interface LeaseTable {
  name: string;
  holder: string | null;
  expiresAt: string;
  takenAt: string | null;
  lastRunAt: string | null;
}

export interface RetentionSettingTable {
  compoundId: number;
  gateDays: number | null;
  photoDays: number | null;
  testDays: number | null;
  recordDays: number | null;
  updatedAt: string | null;
  updatedBy: number | null;
  lastPurgeAt: string | null;
  /** JSON: the last purge's counts per kind and date ranges. */
  lastPurge: string | null;
}

export interface GateDayAggregateTable {
  compoundId: number;
  gateId: number;
  day: string;
  /** JSON: CheckSummary. */
  summary: string;
  /** JSON: { in, out, turnedBack }[24]. */
  hourly: string;
}

export interface ShiftAggregateTable {
  shiftId: string;
  compoundId: number;
  summary: string;
  /** JSON: Record<reason text, count>. */
  overrideReasons: string;
}

export interface DisinfectionDayAggregateTable {
  compoundId: number;
  day: string;
  /** JSON: { owed, counts, missed }. */
  grid: string;
}

export interface BackupTable {
  id: Generated<number>;
  file: string;
  size: number;
  startedAt: string;
  finishedAt: string;
  kind: 'schedule' | 'button' | 'command';
  userId: number | null;
  deletedAt: string | null;
}

export interface DeletionCertificateTable {
  id: string;
  compoundId: number | null;
  issuedAt: string;
  issuedBy: number | null;
  document: string;
}

/** A testing round (轮次): a date window (local dates, inclusive) and a scope. */
export interface TestingRoundTable {
  id: Generated<number>;
  compoundId: number;
  name: string;
  startsOn: string;
  endsOn: string;
  /** JSON: building ids; null: the whole compound. */
  buildingIds: string | null;
  createdAt: string;
  createdBy: number | null;
  /** When its coverage was last counted. */
  coverageAt: string | null;
  /** Its coverage is final (test rows of its window were purged): never recounted. */
  sealedAt: string | null;
}

/** A round's coverage per building and unit: outlives the test rows it was counted from. */
export interface RoundCoverageTable {
  roundId: number;
  buildingId: number;
  unit: string;
  residents: number;
  negative: number;
  positive: number;
  pending: number;
  exempt: number;
  untested: number;
  updatedAt: string;
}

export interface TestExemptionTable {
  residentId: number;
  compoundId: number;
  reason: 'bedridden' | 'infant' | 'away' | 'other';
  note: string | null;
  createdAt: string;
  createdBy: number | null;
}

export interface AlertTable {
  id: Generated<number>;
  compoundId: number;
  testResultId: number;
  residentId: number;
  householdId: number;
  personName: string;
  buildingName: string;
  unit: string;
  room: string;
  sampledAt: string;
  source: string;
  createdAt: string;
  quarantineUntil: string | null;
  handledAt: string | null;
  handledBy: number | null;
}

export interface Tables {
  compound: CompoundTable;
  gate: GateTable;
  building: BuildingTable;
  point: PointTable;
  household: HouseholdTable;
  resident: ResidentTable;
  user: UserTable;
  userCompound: UserCompoundTable;
  device: DeviceTable;
  session: SessionTable;
  loginFailure: LoginFailureTable;
  auditLog: AuditLogTable;
  signingKey: SigningKeyTable;
  pass: PassTable;
  phoneActivation: PhoneActivationTable;
  phoneBinding: PhoneBindingTable;
  testRound: TestRoundTable;
  testResult: TestResultTable;
  policy: PolicyTable;
  shift: ShiftTable;
  gateCheck: GateCheckTable;
  gateCheckVoid: GateCheckVoidTable;
  gateCheckAnalysis: GateCheckAnalysisTable;
  analysisQueue: AnalysisQueueTable;
  conflict: ConflictTable;
  disinfectionSchedule: DisinfectionScheduleTable;
  checklistTemplate: ChecklistTemplateTable;
  disinfectionRecord: DisinfectionRecordTable;
  disinfectionPhoto: DisinfectionPhotoTable;
  lease: LeaseTable;
  retentionSetting: RetentionSettingTable;
  gateDayAggregate: GateDayAggregateTable;
  shiftAggregate: ShiftAggregateTable;
  disinfectionDayAggregate: DisinfectionDayAggregateTable;
  backup: BackupTable;
  deletionCertificate: DeletionCertificateTable;
  testingRound: TestingRoundTable;
  roundCoverage: RoundCoverageTable;
  testExemption: TestExemptionTable;
  alert: AlertTable;
}

export type User = Selectable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
