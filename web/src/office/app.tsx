import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, client } from '../client';
import { match, navigate } from '../router';
import { homeOf, type Me, SessionContext } from '../session';
import { Loading } from '../ui/kit';
import { AuditPage } from './audit';
import { LoginPage, SetupPage } from './auth-pages';
import { CompoundPage, CompoundsPage } from './compounds';
import { DataPage } from './data';
import { ExportsPage } from './exports';
import { Layout } from './layout';
import { OverviewPage } from './overview';
import { UsersPage } from './users';

/** The office pages by path; the first pattern that matches wins. */
const OFFICE_ROUTES: [string, (p: Record<string, string>) => JSX.Element][] = [
  ['/compounds/:id', (p) => <CompoundPage id={Number(p.id)} />],
  ['/compounds/:id/:tab', (p) => <CompoundPage id={Number(p.id)} tab={p.tab} />],
  ['/compounds/:id/:tab/:rest', (p) => <CompoundPage id={Number(p.id)} tab={p.tab} rest={p.rest} />],
  ['/overview', () => <OverviewPage />],
  ['/exports', () => <ExportsPage />],
  ['/users', () => <UsersPage />],
  ['/audit', () => <AuditPage />],
  ['/data', () => <DataPage />],
];

function OfficeRoutes({ path }: { path: string }) {
  for (const [pattern, page] of OFFICE_ROUTES) {
    const params = match(pattern, path);
    if (params) return page(params);
  }
  return <CompoundsPage />;
}

/** The office side: first-run setup, sign-in, then the management pages. */
export function OfficeApp({ path }: { path: string }) {
  const [boot, setBoot] = useState<{ setupNeeded: boolean; me: Me | null } | null>(null);

  useEffect(() => {
    (async () => {
      const { needed } = await call(client.api.setup.$get());
      let me: Me | null = null;
      if (!needed) me = await call(client.api.auth.me.$get()).then((r) => r.user, () => null);
      setBoot({ setupNeeded: needed, me });
    })().catch(() => setBoot({ setupNeeded: false, me: null }));
  }, []);

  const session = useMemo(() => ({ me: boot?.me ?? null, setMe: (me: Me | null) => setBoot({ setupNeeded: false, me }) }), [boot]);

  // Where a person belongs right now: setup first, then sign-in, then the pages.
  useEffect(() => {
    if (!boot) return;
    if (boot.setupNeeded && path !== '/setup') navigate('/setup', { replace: true });
    else if (!boot.setupNeeded && !boot.me && path !== '/login') navigate('/login', { replace: true });
    else if (boot.me && (path === '/login' || path === '/setup' || path === '/')) navigate(homeOf(boot.me), { replace: true });
  }, [boot, path]);

  let page: JSX.Element;
  if (!boot) page = <Loading />;
  else if (path === '/setup') page = <SetupPage />;
  else if (path === '/login') page = <LoginPage />;
  else if (boot.me)
    page = (
      <Layout path={path}>
        <OfficeRoutes path={path} />
      </Layout>
    );
  else page = <Loading />;
  return <SessionContext.Provider value={session}>{page}</SessionContext.Provider>;
}
