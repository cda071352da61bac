import { useState } from 'preact/hooks';
import { call, client } from '../../client';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorBox, Field, Form, Loading, useAction } from '../../ui/kit';
import { useToday } from '../format';
import type { Compound } from '../types';
import { ExemptButton } from '../rounds';
import { PassBadge, QuarantineBadge, TestBadge } from './badges';
import { ImportPanel } from './import-panel';
import { QuarantinedHouseholds, QuarantineForm } from './quarantine';
import { BuildingSelect, Pager, ResidentSearch } from './resident-search';
import { type Building, emptyFilter, type ResidentFilter, type ResidentRow, useBuildings, useResidents } from './residents-data';

const compound = client.api.compounds[':cid'];

type Panel = 'add' | 'import' | 'quarantine' | null;

/** Residents and their households: search, edit, move out, home quarantine, add, import a spreadsheet. */
export function ResidentsTab(props: { compound: Compound; manage: boolean }) {
  const { t } = useI18n();
  const cid = String(props.compound.id);
  const tz = props.compound.timezone;
  const today = useToday(tz);
  const buildings = useBuildings(props.compound.id);
  const [filter, setFilter] = useState<ResidentFilter>(emptyFilter);
  const list = useResidents(props.compound.id, filter);
  const [open, setOpen] = useState<number | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const toggle = (p: Panel) => setPanel(panel === p ? null : p);
  const changed = () => {
    setOpen(null);
    list.reload();
  };
  const cols = props.manage ? 9 : 8;

  return (
    <div class="roster">
      <ResidentSearch buildings={buildings.data} filter={filter} onSearch={setFilter}>
        <div class="toolbar-end row-actions">
          <button type="button" class={panel === 'quarantine' ? 'active' : ''} onClick={() => toggle('quarantine')}>
            {t('residents.quarantined')}
          </button>
          {props.manage && (
            <>
              <button type="button" class={panel === 'add' ? 'active' : ''} onClick={() => toggle('add')}>
                {t('residents.add')}
              </button>
              <button type="button" class={panel === 'import' ? 'active' : ''} onClick={() => toggle('import')}>
                {t('residents.import')}
              </button>
            </>
          )}
        </div>
      </ResidentSearch>
      {panel === 'add' && <AddResident cid={cid} buildings={buildings.data ?? []} onAdded={list.reload} />}
      {panel === 'import' && (
        <ImportPanel
          upload={(form) => call(compound.imports.residents.$post({ param: { cid }, form }))}
          title={t('residents.import')}
          hint={t('residents.importHint')}
          summary={(r) => t('residents.importSummary', { created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected })}
          writable={(r) => r.created + r.updated}
          onApplied={list.reload}
        />
      )}
      {panel === 'quarantine' && (
        <QuarantinedHouseholds
          cid={cid}
          today={today}
          manage={props.manage}
          onChanged={list.reload}
          onPick={(h) => setFilter({ q: h.room, buildingId: h.buildingId, offset: 0 })}
        />
      )}
      <ErrorBox error={list.error || buildings.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <>
          <div class="table-wrap">
            <table class="table roster-table" data-testid="residents">
              <thead>
                <tr>
                  <th>{t('roster.building')}</th>
                  <th>{t('roster.unit')}</th>
                  <th>{t('roster.room')}</th>
                  <th>{t('roster.name')}</th>
                  <th>{t('phone')}</th>
                  <th>{t('roster.quarantine')}</th>
                  <th>{t('roster.pass')}</th>
                  <th>{t('roster.latestTest')}</th>
                  {props.manage && <th>{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {list.data.residents.length === 0 && (
                  <tr>
                    <td colSpan={cols} class="muted">
                      {t('roster.noMatch')}
                    </td>
                  </tr>
                )}
                {list.data.residents.map((r) => [
                  <tr key={r.id} class={open === r.id ? 'open' : ''}>
                    <td class="nowrap">{r.building}</td>
                    <td>{r.unit}</td>
                    <td>{r.room}</td>
                    <td>
                      {r.name}
                      {r.note && <small class="muted block">{r.note}</small>}
                    </td>
                    <td class="nowrap">{r.phone ?? <span class="muted">—</span>}</td>
                    <td>
                      <QuarantineBadge until={r.quarantineUntil} today={today} />
                    </td>
                    <td class="nowrap">
                      <PassBadge r={r} tz={tz} />
                    </td>
                    <td>
                      <TestBadge r={r} tz={tz} />
                    </td>
                    {props.manage && (
                      <td>
                        <button type="button" class="small" onClick={() => setOpen(open === r.id ? null : r.id)}>
                          {open === r.id ? t('close') : t('edit')}
                        </button>
                      </td>
                    )}
                  </tr>,
                  open === r.id && (
                    <tr key={`${r.id}-edit`} class="editor-row">
                      <td colSpan={cols}>
                        <ResidentEditor cid={cid} r={r} today={today} onChanged={changed} onQuarantine={list.reload} onClose={() => setOpen(null)} />
                        <div class="row-actions">
                          <ExemptButton compoundId={props.compound.id} residentId={r.id} onDone={list.reload} />
                          <Link href={`/compounds/${cid}/contacts/${r.id}`}>{t('alerts.contacts')}</Link>
                        </div>
                      </td>
                    </tr>
                  ),
                ])}
              </tbody>
            </table>
          </div>
          <Pager total={list.data.total} offset={filter.offset} onOffset={(offset) => setFilter({ ...filter, offset })} />
        </>
      )}
    </div>
  );
}

/** A resident's name, phone and note; their household's home quarantine; moving them out. */
function ResidentEditor(props: { cid: string; r: ResidentRow; today: string; onChanged: () => void; onQuarantine: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const { r } = props;
  const [d, setD] = useState({ name: r.name, phone: r.phone ?? '', note: r.note ?? '', noPhone: r.noPhone === 1 });
  const save = useAction(async () => {
    await call(
      compound.residents[':id'].$patch({ param: { cid: props.cid, id: String(r.id) }, json: { name: d.name, phone: d.phone.trim() || null, note: d.note.trim() || null, noPhone: d.noPhone } }),
    );
    props.onChanged();
  });
  const remove = useAction(async () => {
    if (!confirm(t('residents.confirmRemove', { name: r.name }))) return;
    await call(compound.residents[':id'].$delete({ param: { cid: props.cid, id: String(r.id) } }));
    props.onChanged();
  });
  return (
    <div class="editor">
      <div>
        <h3>
          {t('residents.editTitle')} · {r.building} {r.unit}-{r.room}
        </h3>
        <Form onSubmit={save.run} class="form inline">
          <Field label={t('roster.name')}>
            <input name="name" value={d.name} required maxLength={40} onInput={(e) => setD({ ...d, name: e.currentTarget.value })} />
          </Field>
          <Field label={t('phone')}>
            <input name="phone" type="tel" value={d.phone} maxLength={20} onInput={(e) => setD({ ...d, phone: e.currentTarget.value })} />
          </Field>
          <Field label={t('roster.note')}>
            <input name="note" value={d.note} maxLength={200} onInput={(e) => setD({ ...d, note: e.currentTarget.value })} />
          </Field>
          {/* Where the policy accepts printed cards only from residents without a phone. */}
          <label class="check">
            <input type="checkbox" name="noPhone" checked={d.noPhone} onChange={(e) => setD({ ...d, noPhone: e.currentTarget.checked })} />
            {t('residents.noPhone')}
          </label>
          <button type="submit" class="primary" disabled={save.busy}>
            {t('save')}
          </button>
          <button type="button" onClick={props.onClose}>
            {t('cancel')}
          </button>
        </Form>
        <ErrorBox error={save.error} />
        <div class="moved-out">
          <button type="button" class="small danger" onClick={remove.run} disabled={remove.busy}>
            {t('residents.remove')}
          </button>
          <small class="muted">{t('residents.removeHint')}</small>
        </div>
        <ErrorBox error={remove.error} />
      </div>
      <QuarantineForm
        cid={props.cid}
        household={{ id: r.householdId, buildingId: r.buildingId, label: `${r.building} ${r.unit}-${r.room}`, until: r.quarantineUntil }}
        today={props.today}
        onChanged={props.onQuarantine}
      />
    </div>
  );
}

function AddResident(props: { cid: string; buildings: Building[]; onAdded: () => void }) {
  const { t } = useI18n();
  const blank = { name: '', phone: '', note: '', room: '' };
  const [where, setWhere] = useState<{ buildingId: number | ''; unit: string }>({ buildingId: '', unit: '1' });
  const [d, setD] = useState(blank);
  const [added, setAdded] = useState<string | null>(null);
  const building = props.buildings.find((b) => b.id === where.buildingId);
  const add = useAction(async () => {
    const r = await call(
      compound.residents.$post({
        param: { cid: props.cid },
        json: { buildingId: where.buildingId, unit: where.unit, room: d.room, name: d.name, phone: d.phone.trim() || null, note: d.note.trim() || null },
      }),
    );
    // Building and unit stay: the next person is often a neighbour.
    setD(blank);
    setAdded(`${r.resident.name} · ${r.resident.building} ${r.resident.unit}-${r.resident.room}`);
    props.onAdded();
  });
  return (
    <div class="panel">
      <h2>{t('residents.add')}</h2>
      <Form onSubmit={add.run} class="form inline">
        <Field label={t('roster.building')}>
          <BuildingSelect buildings={props.buildings} value={where.buildingId} required onChange={(v) => setWhere({ buildingId: v, unit: '1' })} />
        </Field>
        <Field label={t('roster.unit')}>
          {building && building.unitCount > 1 ? (
            <select name="unit" value={where.unit} onChange={(e) => setWhere({ ...where, unit: e.currentTarget.value })}>
              {Array.from({ length: building.unitCount }, (_, i) => String(i + 1)).map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          ) : (
            <input name="unit" value={where.unit} required maxLength={10} onInput={(e) => setWhere({ ...where, unit: e.currentTarget.value })} />
          )}
        </Field>
        <Field label={t('roster.room')}>
          <input name="room" value={d.room} required maxLength={10} placeholder="302" onInput={(e) => setD({ ...d, room: e.currentTarget.value })} />
        </Field>
        <Field label={t('roster.name')}>
          <input name="name" value={d.name} required maxLength={40} onInput={(e) => setD({ ...d, name: e.currentTarget.value })} />
        </Field>
        <Field label={t('phone')}>
          <input name="phone" type="tel" value={d.phone} maxLength={20} onInput={(e) => setD({ ...d, phone: e.currentTarget.value })} />
        </Field>
        <Field label={t('roster.note')}>
          <input name="note" value={d.note} maxLength={200} onInput={(e) => setD({ ...d, note: e.currentTarget.value })} />
        </Field>
        <button type="submit" class="primary" disabled={add.busy}>
          {t('add')}
        </button>
      </Form>
      <ErrorBox error={add.error} />
      {added && !add.error && (
        <p class="ok-text" role="status">
          {t('residents.added', { who: added })}
        </p>
      )}
    </div>
  );
}
