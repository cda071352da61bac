import { type JSX, render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from './api';
import { type I18n, I18nContext, type Lang, saveLang, savedLang, translate } from './i18n';
import { AuditPage } from './office/audit';
import { LoginPage, SetupPage } from './office/auth-pages';
import { CompoundPage, CompoundsPage } from './office/compounds';
import { Layout } from './office/layout';
import { UsersPage } from './office/users';
import { match, navigate, usePath } from './router';
import { type Me, SessionContext } from './session';
import { Loading } from './ui/kit';
import './styles.css';

function formatDateTime(iso: string | null | undefined, tz = 'Asia/Shanghai'): string {
  if (!iso) return '—';
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return f.format(new Date(iso));
}

/** The office pages by path; the first pattern that matches wins. */
const OFFICE_ROUTES: [string, (p: Record<string, string>) => JSX.Element][] = [
  ['/compounds/:id', (p) => <CompoundPage id={Number(p.id)} />],
  ['/compounds/:id/:tab', (p) => <CompoundPage id={Number(p.id)} tab={p.tab} />],
  ['/users', () => <UsersPage />],
  ['/audit', () => <AuditPage />],
];

function OfficeRoutes({ path }: { path: string }) {
  for (const [pattern, page] of OFFICE_ROUTES) {
    const params = match(pattern, path);
    if (params) return page(params);
  }
  return <CompoundsPage />;
}

function App() {
  const [lang, setLangState] = useState<Lang>(savedLang());
  const [boot, setBoot] = useState<{ setupNeeded: boolean; me: Me | null } | null>(null);
  const path = usePath();

  useEffect(() => {
    (async () => {
      const { needed } = await api<{ needed: boolean }>('/api/setup');
      let me: Me | null = null;
      if (!needed) me = await api<{ user: Me }>('/api/auth/me').then((r) => r.user, () => null);
      setBoot({ setupNeeded: needed, me });
    })().catch(() => setBoot({ setupNeeded: false, me: null }));
  }, []);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: (key, vars) => translate(lang, key, vars),
      setLang: (l) => {
        saveLang(l);
        setLangState(l);
      },
      dateTime: formatDateTime,
    }),
    [lang],
  );
  useEffect(() => saveLang(lang), [lang]);

  const session = useMemo(
    () => ({ me: boot?.me ?? null, setMe: (me: Me | null) => setBoot({ setupNeeded: false, me }) }),
    [boot],
  );

  // Where a person belongs right now: setup first, then sign-in, then the pages.
  useEffect(() => {
    if (!boot) return;
    if (boot.setupNeeded && path !== '/setup') navigate('/setup', { replace: true });
    else if (!boot.setupNeeded && !boot.me && path !== '/login') navigate('/login', { replace: true });
    else if (boot.me && (path === '/login' || path === '/setup' || path === '/')) navigate('/compounds', { replace: true });
  }, [boot, path]);

  let page: JSX.Element;
  if (!boot) page = <Loading />;
  else if (path === '/setup') page = <SetupPage />;
  else if (path === '/login') page = <LoginPage />;
  else if (boot.me) page = <Layout path={path}><OfficeRoutes path={path} /></Layout>;
  else page = <Loading />;

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={session}>{page}</SessionContext.Provider>
    </I18nContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
