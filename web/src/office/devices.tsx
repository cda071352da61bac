import { useState } from 'preact/hooks';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Form, Loading, useAction, useLoad } from '../ui/kit';
import { Link } from '../router';
import { QrCode } from '../ui/qr';
import { tabletAddresses, useConnectInfo } from './connect';
import type { Compound } from './types';

const devices = client.api.compounds[':cid'].devices;
type DeviceRow = Data<typeof devices.$get>['devices'][number];

export function DevicesTab(props: { compound: Compound; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const cid = String(props.compound.id);
  const list = useLoad(() => call(devices.$get({ param: { cid } })), [cid]);
  const [name, setName] = useState('');
  const [code, setCode] = useState<{ device: string; code: string; expiresAt: string } | null>(null);
  const create = useAction(async () => {
    const r = await call(devices.$post({ param: { cid }, json: { name } }));
    setCode({ device: r.device.name, code: r.enrollmentCode, expiresAt: r.enrollmentExpiresAt });
    setName('');
    list.reload();
  });
  const newCode = useAction(async (d: DeviceRow) => {
    const r = await call(devices[':id'].code.$post({ param: { cid, id: String(d.id) } }));
    setCode({ device: d.name, code: r.enrollmentCode, expiresAt: r.enrollmentExpiresAt });
    list.reload();
  });
  const revoke = useAction(async (d: DeviceRow) => {
    if (!confirm(t('confirmRevoke'))) return;
    await call(devices[':id'].revoke.$post({ param: { cid, id: String(d.id) } }));
    list.reload();
  });
  const tz = props.compound.timezone;
  // Where a tablet opens the app: the server's https address when it serves one, else this page's own.
  const connect = useConnectInfo();
  const tabletUrl = tabletAddresses(connect.data)[0]!;
  const howTo = (
    <span data-testid="connect-link">
      <Link href={`/compounds/${cid}/connect`}>{t('connect.howTo')} →</Link>
    </span>
  );
  const state = (d: DeviceRow) =>
    d.revokedAt ? (
      <Badge tone="muted">{t('device.revoked')}</Badge>
    ) : d.enrolledAt ? (
      <Badge tone="ok">{t('device.enrolled')}</Badge>
    ) : d.enrollmentPending ? (
      <Badge tone="warn">{t('device.pending')}</Badge>
    ) : (
      <Badge tone="bad">{t('device.expired')}</Badge>
    );
  return (
    <div>
      <ErrorBox error={list.error || newCode.error || revoke.error} />
      {code && (
        <div class="notice" role="status">
          <div>
            {code.device} · {t('enrollmentCode')}
          </div>
          <div class="code-big" data-testid="enrollment-code">
            {code.code}
          </div>
          <small>
            {t('enrollmentHint')} ({dateTime(code.expiresAt, tz)})
          </small>
          <div class="tablet-address">
            <QrCode text={tabletUrl} label={t('tabletQr')} />
            <a href={tabletUrl} class="code-url" data-testid="tablet-url" target="_blank" rel="noreferrer">
              {tabletUrl}
            </a>
          </div>
          {howTo}
        </div>
      )}
      {!code && (
        <p class="muted" data-testid="tablet-address">
          {t('tabletAddressHint')}{' '}
          <a href={tabletUrl} target="_blank" rel="noreferrer">
            {tabletUrl}
          </a>{' '}
          {howTo}
        </p>
      )}
      {!list.data ? (
        <Loading />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>{t('name')}</th>
              <th>{t('status')}</th>
              <th>{t('lastSeen')}</th>
              {props.manage && <th>{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.devices.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  {t('none')}
                </td>
              </tr>
            )}
            {list.data.devices.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{state(d)}</td>
                <td>{dateTime(d.lastSeenAt, tz)}</td>
                {props.manage && (
                  <td class="row-actions">
                    {!d.enrolledAt && !d.revokedAt && (
                      <button type="button" class="small" onClick={() => newCode.run(d)}>
                        {t('newCode')}
                      </button>
                    )}
                    {!d.revokedAt && (
                      <button type="button" class="small danger" onClick={() => revoke.run(d)}>
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.manage && (
        <Form onSubmit={create.run} class="form inline panel">
          <label class="field">
            <span>{t('newDevice')}</span>
            <input name="deviceName" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="东门平板1" required />
          </label>
          <button class="primary" type="submit" disabled={create.busy}>
            {t('create')}
          </button>
          <ErrorBox error={create.error} />
        </Form>
      )}
    </div>
  );
}
