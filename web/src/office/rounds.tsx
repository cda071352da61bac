import { useState } from 'preact/hooks';
import { addDays, zonedDate } from '../../../server/core/time';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { DateField } from '../ui/date-field';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import { LineChart } from './charts';
import type { Compound } from './types';

const compound = client.api.compounds[':cid'];
type Coverage = Data<(typeof compound.rounds)[':id']['coverage']['$get']>;
type Counts = Coverage['total'];

const EXEMPT_REASONS = ['bedridden', 'infant', 'away', 'other'] as const;

/** A share as a bar and a number: green at 100 %, amber above 90 %, red below. */
function Percent(props: { value: number }) {
  const tone = props.value >= 100 ? 'ok' : props.value >= 90 ? 'warn' : 'bad';
  return (
    <span class={`cov-pct cov-${tone}`}>
      <span class="bar">
        <i style={{ width: `${Math.min(100, props.value)}%` }} />
      </span>
      <b>{props.value}%</b>
    </span>
  );
}

function Cells(props: { c: Counts & { tested: number; percent: number } }) {
  const c = props.c;
  return (
    <>
      <td class="num">{c.residents}</td>
      <td class="num">{c.tested}</td>
      <td class="num">{c.negative}</td>
      <td class="num">{c.positive ? <Badge tone="bad">{c.positive}</Badge> : 0}</td>
      <td class="num">{c.pending}</td>
      <td class="num">{c.untested ? <b class="cov-untested">{c.untested}</b> : 0}</td>
      <td class="num">{c.exempt}</td>
      <td>
        <Percent value={c.percent} />
      </td>
    </>
  );
}

/**
 * Testing rounds (核酸轮次): the trend across rounds, a new round, and a round's coverage grid per building
 * and unit, with each building's door-to-door list to print or download; exemptions.
 */
export function RoundsTab(props: { compound: Compound; manage: boolean }) {
  const { t, lang } = useI18n();
  const cid = String(props.compound.id);
  const tz = props.compound.timezone;
  const rounds = useLoad(() => call(compound.rounds.$get({ param: { cid } })), [cid]);
  const [picked, setPicked] = useState<number | null>(null);
  const current = picked ?? rounds.data?.rounds.at(-1)?.id ?? null;
  const coverage = useLoad(() => (current ? call(compound.rounds[':id'].coverage.$get({ param: { cid, id: String(current) } })) : Promise.resolve(null)), [cid, current]);
  const exemptions = useLoad(() => call(compound.exemptions.$get({ param: { cid } })), [cid]);
  const today = zonedDate(Date.now(), tz);
  const [f, setF] = useState({ name: '', startsOn: today, endsOn: addDays(today, 1) });
  const create = useAction(async () => {
    const r = await call(compound.rounds.$post({ param: { cid }, json: { name: f.name.trim(), startsOn: f.startsOn, endsOn: f.endsOn } }));
    setF({ ...f, name: '' });
    setPicked(r.id);
    rounds.reload();
  });
  const clear = useAction(async (residentId: number) => {
    await call(compound.residents[':id'].exemption.$delete({ param: { cid, id: String(residentId) } }));
    exemptions.reload();
    coverage.reload();
    rounds.reload();
  });
  const list = rounds.data?.rounds ?? [];
  const d2d = (buildingId: number, format: string, masked = false) =>
    `/api/compounds/${cid}/rounds/${current}/door-to-door?${new URLSearchParams({ buildingId: String(buildingId), format, lang, ...(masked ? { masked: '1' } : {}) })}`;

  return (
    <div class="rounds">
      <ErrorBox error={rounds.error} />
      {!rounds.data ? (
        <Loading />
      ) : (
        <>
          <h2>{t('rounds.trend')}</h2>
          {list.length > 1 && <LineChart x={list.map((r) => r.startsOn)} series={[{ name: t('rounds.coverage'), values: list.map((r) => r.percent / 100) }]} percent />}
          <div class="table-wrap">
            <table class="table" data-testid="rounds">
              <thead>
                <tr>
                  <th>{t('rounds.name')}</th>
                  <th>{t('rounds.window')}</th>
                  <th class="num">{t('rounds.residents')}</th>
                  <th class="num">{t('rounds.tested')}</th>
                  <th class="num">{t('rounds.untested')}</th>
                  <th>{t('rounds.coverage')}</th>
                </tr>
              </thead>
              <tbody>
                {[...list].reverse().map((r) => (
                  <tr key={r.id} class={r.id === current ? 'selected' : ''}>
                    <td>
                      <button type="button" class="link" onClick={() => setPicked(r.id)}>
                        {r.name}
                      </button>
                    </td>
                    <td>
                      {r.startsOn} — {r.endsOn}
                    </td>
                    <td class="num">{r.residents}</td>
                    <td class="num">{r.tested}</td>
                    <td class="num">{r.untested}</td>
                    <td>
                      <Percent value={r.percent} />
                    </td>
                  </tr>
                ))}
                {!list.length && (
                  <tr>
                    <td colSpan={6} class="muted">
                      {t('rounds.none')}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
      {props.manage && (
        <div class="panel">
          <h3>{t('rounds.new')}</h3>
          <Form onSubmit={create.run} class="form inline">
            <Field label={t('rounds.name')}>
              <input name="roundName" value={f.name} maxLength={60} required placeholder={t('rounds.namePlaceholder')} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />
            </Field>
            <label class="field">
              <span>{t('rounds.startsOn')}</span>
              <DateField name="startsOn" value={f.startsOn} onChange={(startsOn) => setF({ ...f, startsOn })} required />
            </label>
            <label class="field">
              <span>{t('rounds.endsOn')}</span>
              <DateField name="endsOn" value={f.endsOn} onChange={(endsOn) => setF({ ...f, endsOn })} required />
            </label>
            <button class="primary" type="submit" disabled={create.busy}>
              {t('create')}
            </button>
          </Form>
          <ErrorBox error={create.error} />
        </div>
      )}
      <ErrorBox error={coverage.error} />
      {coverage.data && (
        <section data-testid="coverage">
          <h2>
            {t('rounds.grid', { name: coverage.data.round.name })} <small class="muted">{coverage.data.round.startsOn} — {coverage.data.round.endsOn}</small>
          </h2>
          <div class="table-wrap">
            <table class="table cov-grid">
              <thead>
                <tr>
                  <th>{t('rounds.building')}</th>
                  <th class="num">{t('rounds.residents')}</th>
                  <th class="num">{t('rounds.tested')}</th>
                  <th class="num">{t('rounds.negative')}</th>
                  <th class="num">{t('rounds.positive')}</th>
                  <th class="num">{t('rounds.pending')}</th>
                  <th class="num">{t('rounds.untested')}</th>
                  <th class="num">{t('rounds.exempt')}</th>
                  <th>{t('rounds.coverage')}</th>
                  <th>{t('rounds.doorToDoor')}</th>
                </tr>
              </thead>
              <tbody>
                {coverage.data.buildings.map((b) => [
                  <tr key={b.buildingId} class="cov-building" data-building={b.building}>
                    <th>{b.building}</th>
                    <Cells c={b} />
                    <td class="cov-links">
                      {b.untested > 0 ? (
                        <>
                          <a href={d2d(b.buildingId, 'print', true)} target="_blank" rel="noreferrer" data-testid="d2d-print">
                            {t('rounds.printMasked')}
                          </a>
                          <a href={d2d(b.buildingId, 'print')} target="_blank" rel="noreferrer">
                            {t('rounds.printFull')}
                          </a>
                          <a href={d2d(b.buildingId, 'csv')}>CSV</a>
                          <a href={d2d(b.buildingId, 'xlsx')}>XLSX</a>
                        </>
                      ) : (
                        <span class="muted">{t('rounds.allTested')}</span>
                      )}
                    </td>
                  </tr>,
                  ...b.units.map((u) => (
                    <tr key={`${b.buildingId}-${u.unit}`} class="cov-unit">
                      <td>{t('rounds.unit', { unit: u.unit })}</td>
                      <Cells c={u} />
                      <td />
                    </tr>
                  )),
                ])}
              </tbody>
              <tfoot>
                <tr class="cov-total" data-testid="coverage-total">
                  <th>{t('rounds.total')}</th>
                  <Cells c={coverage.data.total} />
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
          <p class="muted">{t('rounds.gridHint')}</p>
        </section>
      )}
      <h2>{t('rounds.exemptions')}</h2>
      <p class="muted">{t('rounds.exemptionsHint')}</p>
      <ErrorBox error={exemptions.error ?? clear.error} />
      {exemptions.data && (
        <div class="table-wrap">
          <table class="table" data-testid="exemptions">
            <tbody>
              {exemptions.data.exemptions.map((e) => (
                <tr key={e.residentId}>
                  <td>{e.name}</td>
                  <td>
                    {e.building} {e.unit}-{e.room}
                  </td>
                  <td>{t(`rounds.reason.${e.reason}`)}</td>
                  <td>{e.note ?? ''}</td>
                  <td>
                    {props.manage && (
                      <button type="button" onClick={() => clear.run(e.residentId)}>
                        {t('rounds.endExemption')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {!exemptions.data.exemptions.length && (
                <tr>
                  <td class="muted">{t('rounds.noExemptions')}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Flag a resident exempt from testing (from the residents list): a reason and a note. */
export function ExemptButton(props: { compoundId: number; residentId: number; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<(typeof EXEMPT_REASONS)[number]>('bedridden');
  const [note, setNote] = useState('');
  const save = useAction(async () => {
    await call(compound.residents[':id'].exemption.$put({ param: { cid: String(props.compoundId), id: String(props.residentId) }, json: { reason, note: note.trim() || null } }));
    setOpen(false);
    props.onDone();
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('rounds.exempt')}
      </button>
    );
  return (
    <Form onSubmit={save.run} class="form inline">
      <select name="exemptReason" value={reason} onChange={(e) => setReason(e.currentTarget.value as (typeof EXEMPT_REASONS)[number])}>
        {EXEMPT_REASONS.map((r) => (
          <option key={r} value={r}>
            {t(`rounds.reason.${r}`)}
          </option>
        ))}
      </select>
      <input name="exemptNote" value={note} maxLength={200} placeholder={t('rounds.note')} onInput={(e) => setNote(e.currentTarget.value)} />
      <button class="primary" type="submit" disabled={save.busy}>
        {t('save')}
      </button>
      <ErrorBox error={save.error} />
    </Form>
  );
}
