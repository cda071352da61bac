import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { canManage, useSession } from '../session';
import { ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import { ConnectTab, ServerMode, useConnectInfo } from './connect';
import { RetentionTab } from './data';
import { DevicesTab } from './devices';
import { DisinfectionTab } from './disinfection';
import { DashboardTab } from './dashboard';
import { PlacesTab } from './places';
import { ConflictsTab } from './roster/conflicts';
import { PassesTab } from './roster/passes';
import { PolicyTab } from './roster/policy';
import { ResidentsTab } from './roster/residents';
import { TestsTab } from './roster/tests';
import { RoundsTab } from './rounds';
import { ContactsTab } from './contacts';
import { ShiftsTab } from './shifts';
import { TimeZoneSelect } from './time-zone-field';
import type { Compound } from './types';
import { VolunteersTab } from './volunteers';

/** For the administrator: which way the server is reached, and until when its certificate holds. */
function ServerPanel() {
  const { t } = useI18n();
  const info = useConnectInfo();
  if (!info.data) return null;
  return (
    <p class="muted" data-testid="admin-server-mode">
      {t('connect.server')}: <ServerMode info={info.data} />
    </p>
  );
}

export function CompoundsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const list = useLoad(() => call(client.api.compounds.$get()), []);
  const [f, setF] = useState({ name: '', timezone: 'Asia/Shanghai' });
  const create = useAction(async () => {
    await call(client.api.compounds.$post({ json: f }));
    setF({ ...f, name: '' });
    list.reload();
  });
  return (
    <section>
      <h1>{t('compounds')}</h1>
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : list.data.compounds.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <ul class="cards">
          {list.data.compounds.map((c) => (
            <li key={c.id}>
              <Link href={`/compounds/${c.id}`} class="card">
                <strong>{c.name}</strong>
                <span class="muted">{c.timezone}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {me?.role === 'admin' && <ServerPanel />}
      {me?.role === 'admin' && (
        <div class="panel">
          <h2>{t('newCompound')}</h2>
          <Form onSubmit={create.run} class="form inline">
            <Field label={t('name')}>
              <input name="name" value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} required maxLength={60} />
            </Field>
            <Field label={t('timezone')}>
              <TimeZoneSelect value={f.timezone} onChange={(timezone) => setF({ ...f, timezone })} />
            </Field>
            <button class="primary" type="submit" disabled={create.busy}>
              {t('create')}
            </button>
          </Form>
          <ErrorBox error={create.error} />
        </div>
      )}
    </section>
  );
}

const TABS = ['dashboard', 'shifts', 'disinfection', 'residents', 'passes', 'rounds', 'tests', 'policy', 'conflicts', 'gates', 'buildings', 'points', 'devices', 'connect', 'volunteers', 'retention'] as const;
/** Pages of a compound reached from another (a positive alert's gate contacts), not from the tab bar. */
const PAGES = [...TABS, 'contacts'] as const;
type Tab = (typeof PAGES)[number];

/** Each tab of a compound's page. */
const TAB_PAGES: Record<Tab, (p: { compound: Compound; manage: boolean; rest?: string | undefined }) => JSX.Element> = {
  dashboard: (p) => <DashboardTab {...p} />,
  shifts: (p) => <ShiftsTab {...p} shiftId={p.rest} />,
  disinfection: (p) => <DisinfectionTab {...p} />,
  residents: (p) => <ResidentsTab {...p} />,
  passes: (p) => <PassesTab {...p} />,
  tests: (p) => <TestsTab {...p} />,
  rounds: (p) => <RoundsTab {...p} />,
  contacts: (p) => <ContactsTab {...p} residentId={Number(p.rest)} />,
  policy: (p) => <PolicyTab {...p} />,
  conflicts: (p) => <ConflictsTab {...p} />,
  gates: (p) => <PlacesTab key="gates" compoundId={p.compound.id} kind="gates" manage={p.manage} />,
  buildings: (p) => <PlacesTab key="buildings" compoundId={p.compound.id} kind="buildings" manage={p.manage} />,
  points: (p) => <PlacesTab key="points" compoundId={p.compound.id} kind="points" manage={p.manage} />,
  devices: (p) => <DevicesTab {...p} />,
  connect: () => <ConnectTab />,
  volunteers: (p) => <VolunteersTab {...p} />,
  retention: (p) => <RetentionTab {...p} />,
};

export function CompoundPage(props: { id: number; tab?: string | undefined; rest?: string | undefined }) {
  const { t } = useI18n();
  const { me } = useSession();
  const tab: Tab = (PAGES as readonly string[]).includes(props.tab ?? '') ? (props.tab as Tab) : 'dashboard';
  const compound = useLoad(() => call(client.api.compounds[':cid'].$get({ param: { cid: String(props.id) } })), [props.id]);
  const manage = canManage(me, props.id);
  const [editing, setEditing] = useState<Compound | null>(null);
  const save = useAction(async () => {
    if (!editing) return;
    await call(client.api.compounds[':cid'].$patch({ param: { cid: String(props.id) }, json: { name: editing.name, timezone: editing.timezone } }));
    setEditing(null);
    compound.reload();
  });
  if (compound.error) return <ErrorBox error={compound.error} />;
  if (!compound.data) return <Loading />;
  const c = compound.data.compound;
  return (
    <section>
      <p class="crumbs">
        <Link href="/compounds">{t('compounds')}</Link> /
      </p>
      {editing ? (
        <Form onSubmit={save.run} class="form inline">
          <Field label={t('name')}>
            <input name="name" value={editing.name} onInput={(e) => setEditing({ ...editing, name: e.currentTarget.value })} required />
          </Field>
          <Field label={t('timezone')}>
            <TimeZoneSelect value={editing.timezone} onChange={(timezone) => setEditing({ ...editing, timezone })} />
          </Field>
          <button class="primary" type="submit" disabled={save.busy}>
            {t('save')}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t('cancel')}
          </button>
          <ErrorBox error={save.error} />
        </Form>
      ) : (
        <h1>
          {c.name} <small class="muted">{c.timezone}</small>{' '}
          {manage && (
            <button type="button" class="small" onClick={() => setEditing(c)}>
              {t('edit')}
            </button>
          )}
        </h1>
      )}
      <nav class="tabs">
        {TABS.map((name) => (
          <Link key={name} href={`/compounds/${c.id}/${name}`} class={tab === name ? 'active' : ''}>
            {t(name)}
          </Link>
        ))}
      </nav>
      {TAB_PAGES[tab]({ compound: c, manage, rest: props.rest })}
    </section>
  );
}
