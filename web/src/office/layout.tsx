import type { ComponentChildren } from 'preact';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';

export function Layout(props: { path: string; children: ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  const { me, setMe } = useSession();
  if (!me) return null;
  const nav: { href: string; label: string; show: boolean }[] = [
    { href: '/overview', label: t('overview'), show: me.role !== 'volunteer' },
    { href: '/compounds', label: t('compounds'), show: true },
    { href: '/exports', label: t('exports'), show: me.role !== 'volunteer' },
    { href: '/users', label: t('users'), show: me.role !== 'volunteer' },
    { href: '/audit', label: t('audit'), show: true },
    { href: '/data', label: t('data'), show: me.role === 'admin' },
  ];
  const signOut = async () => {
    await call(client.api.auth.logout.$post()).catch(() => {});
    setMe(null);
    navigate('/login', { replace: true });
  };
  return (
    <div class="shell">
      <header class="topbar">
        <Link href="/compounds" class="brand">
          <img src="/icon.svg" alt="" width={28} height={28} />
          <span>{t('appName')}</span>
        </Link>
        <nav>
          {nav
            .filter((n) => n.show)
            .map((n) => (
              <Link key={n.href} href={n.href} class={props.path.startsWith(n.href) ? 'active' : ''}>
                {n.label}
              </Link>
            ))}
        </nav>
        <div class="who">
          <span>
            {me.displayName} · {t(`role.${me.role}`)}
          </span>
          <button type="button" class="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t('language')}
          </button>
          <button type="button" class="link" onClick={signOut}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main class="page">{props.children}</main>
      <footer class="foot muted">
        <a href="/api/docs">{t('apiDocs')}</a>
      </footer>
    </div>
  );
}
