import { useState } from 'preact/hooks';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { homeOf, useSession } from '../session';
import { ErrorBox, Field, Form, useAction } from '../ui/kit';
import { ServerMode, useConnectInfo } from './connect';

function AuthShell(props: { title: string; children: preact.ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  return (
    <main class="auth">
      <div class="auth-card">
        <div class="auth-head">
          <img src="/icon.svg" alt="" width={48} height={48} />
          <div>
            <h1>{t('appName')}</h1>
            <p class="muted">{t('tagline')}</p>
          </div>
          <button type="button" class="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t('language')}
          </button>
        </div>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </main>
  );
}

export function SetupPage() {
  const { t } = useI18n();
  const { setMe } = useSession();
  const [f, setF] = useState({ username: 'admin', displayName: '', password: '', again: '' });
  const submit = useAction(async () => {
    if (f.password !== f.again) throw new Error(t('passwordsDiffer'));
    const r = await call(client.api.setup.$post({ json: { username: f.username, displayName: f.displayName, password: f.password } }));
    setMe(r.user);
    navigate(homeOf(r.user), { replace: true });
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <AuthShell title={t('setupTitle')}>
      <p class="muted">{t('setupHint')}</p>
      <Form onSubmit={submit.run}>
        <Field label={t('username')}>
          <input name="username" value={f.username} onInput={set('username')} autocomplete="username" required />
        </Field>
        <Field label={t('displayName')}>
          <input name="displayName" value={f.displayName} onInput={set('displayName')} required />
        </Field>
        <Field label={t('password')}>
          <input name="password" type="password" value={f.password} onInput={set('password')} autocomplete="new-password" minLength={10} required />
        </Field>
        <Field label={t('passwordAgain')}>
          <input name="again" type="password" value={f.again} onInput={set('again')} autocomplete="new-password" minLength={10} required />
        </Field>
        <ErrorBox error={submit.error} />
        <button class="primary" type="submit" disabled={submit.busy}>
          {t('setupButton')}
        </button>
      </Form>
      <SetupHttps />
    </AuthShell>
  );
}

/**
 * On the first screen: gate tablets need HTTPS (camera, offline app). Say whether this server serves it,
 * and if not, the one way to turn it on here (a setting read at start: the server cannot take a new port
 * while it runs).
 */
function SetupHttps() {
  const { t } = useI18n();
  const info = useConnectInfo();
  if (!info.data) return null;
  return (
    <div class={`notice ${info.data.https.mode === 'auto' || location.protocol === 'https:' ? '' : 'warn'}`} data-testid="setup-https">
      <strong>{t('setup.httpsTitle')}</strong> <ServerMode info={info.data} />
      {info.data.https.mode === 'off' && location.protocol !== 'https:' && (
        <p>
          {t('setup.httpsHow')} <code>HTTPS=auto npm start</code>
        </p>
      )}
    </div>
  );
}

export function LoginPage() {
  const { t } = useI18n();
  const { setMe } = useSession();
  const [f, setF] = useState({ username: '', password: '' });
  const submit = useAction(async () => {
    const r = await call(client.api.auth.login.$post({ json: f }));
    setMe(r.user);
    navigate(homeOf(r.user), { replace: true });
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <AuthShell title={t('signIn')}>
      <Form onSubmit={submit.run}>
        <Field label={t('username')}>
          <input name="username" value={f.username} onInput={set('username')} autocomplete="username" required />
        </Field>
        <Field label={t('password')}>
          <input name="password" type="password" value={f.password} onInput={set('password')} autocomplete="current-password" required />
        </Field>
        <ErrorBox error={submit.error} />
        {submit.error && /^1\d{10}$/.test(f.username.trim()) && (
          <p class="notice" data-testid="volunteer-phone-hint">
            {t('volunteerPhoneHint')} <a href="/tablet">{location.host}/tablet</a>
          </p>
        )}
        <button class="primary" type="submit" disabled={submit.busy}>
          {t('signIn')}
        </button>
      </Form>
      <p class="muted auth-tablet" data-testid="tablet-link">
        <b>{t('volunteerHere')}</b> {t('volunteerHint')} <a href="/tablet">{location.host}/tablet</a>
      </p>
    </AuthShell>
  );
}
