/** Who is calling, as every route and audit row knows them: a role, a user, a tablet. */
export const ROLES = ['admin', 'supervisor', 'manager', 'volunteer'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: number;
  role: Role;
  displayName: string;
  username: string | null;
  phone: string | null;
  /** Compounds in the user's scope (managers, volunteers); empty for district-wide roles. */
  compoundIds: number[];
}

export interface AuthDevice {
  id: number;
  compoundId: number;
  name: string;
}

/** Who is calling. Office users carry a cookie session; tablets a bearer token (device or volunteer). */
export type Actor =
  | { kind: 'office'; user: AuthUser; sessionId: string }
  | { kind: 'volunteer'; user: AuthUser; device: AuthDevice; sessionId: string }
  | { kind: 'device'; device: AuthDevice };
