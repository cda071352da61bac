import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { client, Data } from './client';

/** The signed-in office user, as the server describes them. */
export type Me = Data<typeof client.api.auth.me.$get>['user'];

export interface SessionState {
  me: Me | null;
  setMe: (me: Me | null) => void;
}

export const SessionContext = createContext<SessionState>({ me: null, setMe: () => {} });
export const useSession = () => useContext(SessionContext);

/** Mirrors the server's rule (server/auth/access.ts) to hide buttons; the server still decides. */
export function canManage(me: Me | null, compoundId: number): boolean {
  if (!me) return false;
  return me.role === 'admin' || (me.role === 'manager' && me.compoundIds.includes(compoundId));
}

/** Where a user lands after signing in: a supervisor on the district, a one-compound manager on its dashboard. */
export function homeOf(me: Me): string {
  if (me.role === 'supervisor') return '/overview';
  if (me.role === 'manager' && me.compoundIds.length === 1) return `/compounds/${me.compoundIds[0]}/dashboard`;
  return '/compounds';
}
