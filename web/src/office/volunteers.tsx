import { useState } from 'preact/hooks';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import type { Compound } from './types';

const volunteers = client.api.compounds[':cid'].volunteers;
type Volunteer = Data<typeof volunteers.$get>['volunteers'][number];

/** The compound's volunteers, added where the manager works: name, phone and the PIN for its tablets. */
export function VolunteersTab(props: { compound: Compound; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const cid = String(props.compound.id);
  const list = useLoad(() => call(volunteers.$get({ param: { cid } })), [cid]);
  const [f, setF] = useState({ displayName: '', phone: '', pin: '' });
  const create = useAction(async () => {
    await call(volunteers.$post({ param: { cid }, json: f }));
    setF({ displayName: '', phone: '', pin: '' });
    list.reload();
  });
  const act = useAction(async (send: () => Promise<unknown>) => {
    await send();
    list.reload();
  });
  const status = (v: Volunteer) =>
    v.disabledAt ? <Badge tone="muted">{t('disabled')}</Badge> : v.locked ? <Badge tone="bad">{t('locked')}</Badge> : <Badge tone="ok">{t('active')}</Badge>;
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  return (
    <div>
      <p class="muted">{t('volunteersHint')}</p>
      <ErrorBox error={list.error || act.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <table class="table" data-testid="volunteers">
          <thead>
            <tr>
              <th>{t('displayName')}</th>
              <th>{t('phone')}</th>
              <th>{t('status')}</th>
              <th>{t('lastLogin')}</th>
              {props.manage && <th>{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.volunteers.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  {t('none')}
                </td>
              </tr>
            )}
            {list.data.volunteers.map((v) => (
              <tr key={v.id}>
                <td>{v.displayName}</td>
                <td>{v.phone}</td>
                <td>{status(v)}</td>
                <td class="nowrap">{dateTime(v.lastLoginAt, props.compound.timezone)}</td>
                {props.manage && (
                  <td class="row-actions">
                    <button type="button" class="small" onClick={() => act.run(() => call(client.api.users[':id'].$patch({ param: { id: String(v.id) }, json: { disabled: !v.disabledAt } })))}>
                      {v.disabledAt ? t('enable') : t('disable')}
                    </button>
                    {v.locked && (
                      <button type="button" class="small" onClick={() => act.run(() => call(client.api.users[':id'].unlock.$post({ param: { id: String(v.id) } })))}>
                        {t('unlock')}
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
          <Field label={t('displayName')}>
            <input name="displayName" value={f.displayName} onInput={set('displayName')} required maxLength={60} />
          </Field>
          <Field label={t('phone')}>
            <input name="phone" inputMode="tel" value={f.phone} onInput={set('phone')} required />
          </Field>
          <Field label={t('pin')}>
            <input name="pin" inputMode="numeric" pattern="\d{6}" maxLength={6} value={f.pin} onInput={set('pin')} required autocomplete="off" />
          </Field>
          <button class="primary" type="submit" disabled={create.busy}>
            {t('addVolunteer')}
          </button>
          <ErrorBox error={create.error} />
        </Form>
      )}
    </div>
  );
}
