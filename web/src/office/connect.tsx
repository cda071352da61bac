import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Loading, useLoad } from '../ui/kit';
import { QrCode } from '../ui/qr';

/** How tablets reach this server, as GET /api/connect says (server/tls/connect.ts). */
export type ConnectInfo = Data<typeof client.api.connect.$get>;

export const useConnectInfo = () => useLoad(() => call(client.api.connect.$get()), []);

/**
 * Where a tablet opens the app: the server's own HTTPS address when it serves one (its certificate names
 * it), else this page's own address (which gives the camera only over HTTPS or on localhost).
 */
export function tabletAddresses(info: ConnectInfo | undefined): string[] {
  if (info?.https.mode === 'auto' && info.https.tabletUrls.length) return info.https.tabletUrls;
  return [`${location.origin}/tablet`];
}

/**
 * 连接平板: what a manager does once per tablet so that its browser gives Gatepost the camera and the offline
 * app (both only for https:// pages): install this installation's certificate authority, then open the
 * tablet address. The steps are short, in the order the tablet's screens show them.
 */
export function ConnectTab() {
  const { t } = useI18n();
  const info = useConnectInfo();
  if (info.error) return <ErrorBox error={info.error} />;
  if (!info.data) return <Loading />;
  const h = info.data.https;
  const [main, ...others] = tabletAddresses(info.data);
  const secure = h.mode === 'auto' || location.protocol === 'https:';
  return (
    <div class="connect" data-testid="connect">
      <p>{t('connect.intro')}</p>
      {!secure && (
        <div class="notice warn" role="alert" data-testid="connect-http">
          {t('connect.httpOnly')}
        </div>
      )}
      <div class="connect-grid">
        <section class="panel">
          <h2>{t('connect.step1')}</h2>
          {h.caCertificate ? (
            <>
              <p>{t('connect.caWhy')}</p>
              <p class="row-actions">
                <a class="button primary" href={h.caCertificate} download="gatepost-ca.crt">
                  {t('connect.caAndroid')}
                </a>
                {h.iosProfile && (
                  <a class="button" href={h.iosProfile} download="gatepost-ca.mobileconfig">
                    {t('connect.caIpad')}
                  </a>
                )}
              </p>
              <p class="muted small">
                {t('connect.fingerprint')} <code data-testid="ca-fingerprint">{h.caFingerprint}</code>
              </p>
              <h3>Android</h3>
              <ol>
                {t('connect.android')
                  .split('|')
                  .map((s) => (
                    <li key={s}>{s}</li>
                  ))}
              </ol>
              <h3>iPad</h3>
              <ol>
                {t('connect.ipad')
                  .split('|')
                  .map((s) => (
                    <li key={s}>{s}</li>
                  ))}
              </ol>
            </>
          ) : (
            <p class="muted">{t('connect.noCa')}</p>
          )}
        </section>
        <section class="panel">
          <h2>{t('connect.step2')}</h2>
          <div class="tablet-address">
            <QrCode text={main!} size={200} label={t('tabletQr')} />
            <a href={main} class="code-url" data-testid="connect-url" target="_blank" rel="noreferrer">
              {main}
            </a>
          </div>
          {others.length > 0 && (
            <p class="muted small">
              {t('connect.otherAddresses')} {others.join(' · ')}
            </p>
          )}
          <p>{t('tabletAddressHint')}</p>
          <h3>{t('connect.server')}</h3>
          <p data-testid="server-mode">
            <ServerMode info={info.data} />
          </p>
          {h.certificateExpiresAt && (
            <p class="muted small">
              {t('connect.names')} {h.names.join(' · ')}
            </p>
          )}
        </section>
      </div>
    </div>
  );
}

/** Which way this server is reached, and until when its certificate holds (the admin's page shows it too). */
export function ServerMode(props: { info: ConnectInfo }) {
  const { t, dateTime } = useI18n();
  const h = props.info.https;
  if (h.mode === 'auto')
    return (
      <>
        <Badge tone="ok">{t('connect.modeAuto', { port: h.port ?? '' })}</Badge> {h.certificateExpiresAt && t('connect.expires', { at: dateTime(h.certificateExpiresAt) })}
      </>
    );
  return location.protocol === 'https:' ? <Badge tone="ok">{t('connect.modeProxy')}</Badge> : <Badge tone="warn">{t('connect.modeOff')}</Badge>;
}
