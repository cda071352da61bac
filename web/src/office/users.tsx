import { useState } from 'preact/hooks';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import type { Compound } from './types';

type UserRow = Data<typeof client.api.users.$get>['users'][number];
type Role = UserRow['role'];

interface Draft {
  id?: number;
  role: Role;
  displayName: string;
  username: string;
  password: string;
  phone: string;
  pin: string;
  compoundIds: number[];
}

const empty = (role: Role): Draft => ({ role, displayName: '', username: '', password: '', phone: '', pin: '', compoundIds: [] });

/** Only what the form filled in: a blank password or PIN on edit means "keep". */
function body(d: Draft) {
  return {
    displayName: d.displayName,
    compoundIds: d.compoundIds,
    ...(d.username ? { username: d.username } : {}),
    ...(d.password ? { password: d.password } : {}),
    ...(d.phone ? { phone: d.phone } : {}),
    ...(d.pin ? { pin: d.pin } : {}),
  };
}

function UserForm(props: { draft: Draft; compounds: Compound[]; roles: Role[]; onDone: () => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [d, setD] = useState(props.draft);
  const submit = useAction(async () => {
    // The role is chosen once, when the user is made.
    if (d.id) await call(client.api.users[':id'].$patch({ param: { id: String(d.id) }, json: body(d) }));
    else await call(client.api.users.$post({ json: { ...body(d), role: d.role } }));
    props.onDone();
  });
  const office = d.role !== 'volunteer';
  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  const toggle = (id: number) =>
    setD({
      ...d,
      compoundIds: d.role === 'volunteer' ? [id] : d.compoundIds.includes(id) ? d.compoundIds.filter((x) => x !== id) : [...d.compoundIds, id],
    });
  return (
    <Form onSubmit={submit.run} class="form grid panel">
      {!d.id && (
        <Field label={t('role')}>
          <select name="role" value={d.role} onChange={(e) => setD({ ...d, role: e.currentTarget.value as Role, compoundIds: [] })}>
            {props.roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label={t('displayName')}>
        <input name="displayName" value={d.displayName} onInput={set('displayName')} required />
      </Field>
      {office && (
        <>
          <Field label={t('username')}>
            <input name="username" value={d.username} onInput={set('username')} required={!d.id} autocomplete="off" />
          </Field>
          <Field label={d.id ? t('newPassword') : t('password')}>
            <input name="password" type="password" value={d.password} onInput={set('password')} required={!d.id} minLength={10} autocomplete="new-password" />
          </Field>
        </>
      )}
      {(d.role === 'volunteer' || d.role === 'manager') && (
        <>
          <Field label={t('phone')}>
            <input name="phone" inputMode="tel" value={d.phone} onInput={set('phone')} required={d.role === 'volunteer' && !d.id} />
          </Field>
          <Field label={d.id ? t('newPin') : t('pin')}>
            <input name="pin" inputMode="numeric" pattern="\d{6}" maxLength={6} value={d.pin} onInput={set('pin')} required={d.role === 'volunteer' && !d.id} autocomplete="off" />
          </Field>
        </>
      )}
      {(d.role === 'volunteer' || d.role === 'manager') && (
        <fieldset class="field wide">
          <legend>{t('compoundsOf')}</legend>
          <div class="checks">
            {props.compounds.map((c) => (
              <label key={c.id} class="check">
                <input type={d.role === 'volunteer' ? 'radio' : 'checkbox'} name="compound" checked={d.compoundIds.includes(c.id)} onChange={() => toggle(c.id)} />
                {c.name}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <div class="wide row-actions">
        <button class="primary" type="submit" disabled={submit.busy}>
          {d.id ? t('save') : t('create')}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            {t('cancel')}
          </button>
        )}
      </div>
      <div class="wide">
        <ErrorBox error={submit.error} />
      </div>
    </Form>
  );
}

export function UsersPage() {
  const { t, dateTime } = useI18n();
  const { me } = useSession();
  const users = useLoad(() => call(client.api.users.$get()), []);
  const compounds = useLoad(() => call(client.api.compounds.$get()), []);
  const [editing, setEditing] = useState<Draft | null>(null);
  const [formKey, setFormKey] = useState(0);
  const act = useAction(async (send: () => Promise<unknown>) => {
    await send();
    users.reload();
  });
  const roles: Role[] = me?.role === 'admin' ? ['volunteer', 'manager', 'supervisor', 'admin'] : ['volunteer'];
  const mayEdit = (u: UserRow) => me?.role === 'admin' || (me?.role === 'manager' && u.role === 'volunteer');
  const names = new Map((compounds.data?.compounds ?? []).map((c) => [c.id, c.name]));
  if (!users.data || !compounds.data) return <>{users.error || compounds.error ? <ErrorBox error={users.error || compounds.error} /> : <Loading />}</>;
  return (
    <section>
      <h1>{t('users')}</h1>
      <ErrorBox error={act.error} />
      <table class="table">
        <thead>
          <tr>
            <th>{t('displayName')}</th>
            <th>{t('role')}</th>
            <th>
              {t('username')} / {t('phone')}
            </th>
            <th>{t('compoundsOf')}</th>
            <th>{t('status')}</th>
            <th>{t('lastLogin')}</th>
            <th>{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.data.users.map((u) => (
            <tr key={u.id}>
              <td>{u.displayName}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{[u.username, u.phone].filter(Boolean).join(' / ')}</td>
              <td>{u.compoundIds.map((id) => names.get(id) ?? `#${id}`).join(t('sep.list'))}</td>
              <td>
                {u.disabledAt ? <Badge tone="muted">{t('disabled')}</Badge> : u.locked ? <Badge tone="bad">{t('locked')}</Badge> : <Badge tone="ok">{t('active')}</Badge>}
              </td>
              <td class="nowrap">{dateTime(u.lastLoginAt)}</td>
              <td class="row-actions">
                {mayEdit(u) && (
                  <>
                    <button type="button" class="small" onClick={() => setEditing({ ...empty(u.role), id: u.id, displayName: u.displayName, username: u.username ?? '', phone: u.phone ?? '', compoundIds: u.compoundIds })}>
                      {t('edit')}
                    </button>
                    {u.id !== me?.id && (
                      <button type="button" class="small" onClick={() => act.run(() => call(client.api.users[':id'].$patch({ param: { id: String(u.id) }, json: { disabled: !u.disabledAt } })))}>
                        {u.disabledAt ? t('enable') : t('disable')}
                      </button>
                    )}
                    {u.locked && (
                      <button type="button" class="small" onClick={() => act.run(() => call(client.api.users[':id'].unlock.$post({ param: { id: String(u.id) } })))}>
                        {t('unlock')}
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && (
        <>
          <h2>
            {t('edit')} · {editing.displayName}
          </h2>
          <UserForm key={editing.id} draft={editing} compounds={compounds.data.compounds} roles={roles} onCancel={() => setEditing(null)} onDone={() => { setEditing(null); users.reload(); }} />
        </>
      )}
      {(me?.role === 'admin' || me?.role === 'manager') && (
        <>
          <h2>{t('newUser')}</h2>
          <UserForm key={`new-${formKey}`} draft={empty('volunteer')} compounds={compounds.data.compounds.filter((c) => me.role === 'admin' || me.compoundIds.includes(c.id))} roles={roles} onDone={() => { setFormKey((k) => k + 1); users.reload(); }} />
        </>
      )}
    </section>
  );
}
