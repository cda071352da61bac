import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

// Table types as the app sees them: camelCase (the CamelCasePlugin maps to snake_case SQL).
// Times are ISO-8601 UTC strings; booleans 0/1; JSON columns are strings parsed in queries.

export interface CompoundTable {
  id: Generated<number>;
  name: string;
  timezone: string;
  rosterVersion: Generated<number>;
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

export interface DB {
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
}

export type Compound = Selectable<CompoundTable>;
export type Gate = Selectable<GateTable>;
export type Building = Selectable<BuildingTable>;
export type Point = Selectable<PointTable>;
export type Household = Selectable<HouseholdTable>;
export type Resident = Selectable<ResidentTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type Device = Selectable<DeviceTable>;
export type Session = Selectable<SessionTable>;
export type AuditEntry = Selectable<AuditLogTable>;
