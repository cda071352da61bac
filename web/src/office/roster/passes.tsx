import { useState } from 'preact/hooks';
import { call, client } from '../../client';
import { hasString, useI18n } from '../../i18n';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../../ui/kit';
import { QrCode } from '../../ui/qr';
import type { Compound } from '../types';
import { PassBadge } from './badges';
import { BuildingSelect, Pager, ResidentSearch } from './resident-search';
import { type Building, emptyFilter, type ResidentFilter, type ResidentRow, useBuildings, useResidents } from './residents-data';

const compound = client.api.compounds[':cid'];

type Open = { id: number; mode: 'history' | 'revoke' } | null;

/** Passes: issue to everyone without one, print a building's cards, revoke or reissue one person's. */
export function PassesTab(props: { compound: Compound; manage: boolean }) {
  const { t } = useI18n();
  const cid = String(props.compound.id);
  const base = `/api/compounds/${cid}`;
  const tz = props.compound.timezone;
  const buildings = useBuildings(props.compound.id);
  const [filter, setFilter] = useState<ResidentFilter>(emptyFilter);
  const list = useResidents(props.compound.id, filter);
  const [open, setOpen] = useState<Open>(null);
  const [issued, setIssued] = useState<{ name: string; passId: number } | null>(null);
  const reissue = useAction(async (r: ResidentRow) => {
    if (r.passId && !confirm(t('passes.confirmReissue', { name: r.name }))) return;
    const res = await call(compound.residents[':id'].pass.$post({ param: { cid, id: String(r.id) } }));
    setIssued({ name: r.name, passId: res.pass.id });
    setOpen(null);
    list.reload();
  });
  const show = (id: number, mode: 'history' | 'revoke') => setOpen(open?.id === id && open.mode === mode ? null : { id, mode });
  const cols = 5;

  return (
    <div class="roster">
      <div class={props.manage ? 'pass-tools' : 'pass-tools single'}>
        {props.manage && <IssueMissing cid={cid} buildings={buildings.data} onIssued={list.reload} />}
        <PassSheets base={base} buildings={buildings.data} />
      </div>
      {issued && (
        <div class="notice pass-issued" role="status">
          <img src={`${base}/passes/${issued.passId}/qr.svg`} alt="" width={96} height={96} />
          <div>
            <strong>{t('passes.issuedOne', { name: issued.name, no: issued.passId })}</strong>
            <div class="muted">{t('passes.issuedOneHint')}</div>
          </div>
          <button type="button" class="small" onClick={() => setIssued(null)}>
            {t('close')}
          </button>
        </div>
      )}
      <h2>{t('passes.byResident')}</h2>
      <ResidentSearch buildings={buildings.data} filter={filter} onSearch={setFilter} />
      <ErrorBox error={list.error || buildings.error || reissue.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <>
          <div class="table-wrap">
            <table class="table roster-table" data-testid="passes">
              <thead>
                <tr>
                  <th>{t('roster.household')}</th>
                  <th>{t('roster.name')}</th>
                  <th>{t('roster.pass')}</th>
                  <th>{t('roster.issuedAt')}</th>
                  <th>{t('actions')}</th>
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
                  <tr key={r.id} class={open?.id === r.id ? 'open' : ''}>
                    <td class="nowrap">
                      {r.building} {r.unit}-{r.room}
                    </td>
                    <td>{r.name}</td>
                    <td class="nowrap">
                      <PassBadge r={r} tz={tz} />
                    </td>
                    <td class="nowrap">
                      <PassIssued r={r} tz={tz} />
                    </td>
                    <td>
                      <div class="row-actions">
                      <button type="button" class="small" onClick={() => show(r.id, 'history')}>
                        {t('passes.history')}
                      </button>
                      {props.manage && r.passId && (
                        <button type="button" class="small danger" onClick={() => show(r.id, 'revoke')}>
                          {t('passes.revoke')}
                        </button>
                      )}
                      {props.manage && (
                        <button type="button" class="small" disabled={reissue.busy} onClick={() => reissue.run(r)}>
                          {r.passId ? t('passes.reissue') : t('passes.issue')}
                        </button>
                      )}
                      </div>
                    </td>
                  </tr>,
                  open?.id === r.id && (
                    <tr key={`${r.id}-more`} class="editor-row">
                      <td colSpan={cols}>
                        {open.mode === 'revoke' && r.passId ? (
                          <RevokeForm
                            cid={cid}
                            r={r}
                            passId={r.passId}
                            onDone={() => {
                              setOpen(null);
                              list.reload();
                            }}
                            onCancel={() => setOpen(null)}
                          />
                        ) : (
                          <PassHistory cid={cid} r={r} tz={tz} manage={props.manage} />
                        )}
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
      {!props.manage && (
        <p class="muted">
          <small>{t('roster.readOnly')}</small>
        </p>
      )}
    </div>
  );
}

function PassIssued(props: { r: ResidentRow; tz: string }) {
  const { dateTime } = useI18n();
  return <span class={props.r.passIssuedAt ? '' : 'muted'}>{props.r.passIssuedAt ? dateTime(props.r.passIssuedAt, props.tz) : '—'}</span>;
}

/** Passes for every resident (of one building, or all) who has none yet: after an import, say. */
function IssueMissing(props: { cid: string; buildings: Building[] | undefined; onIssued: () => void }) {
  const { t } = useI18n();
  const [buildingId, setBuildingId] = useState<number | ''>('');
  const [result, setResult] = useState<number | null>(null);
  const issue = useAction(async () => {
    const r = await call(compound.passes.issue.$post({ param: { cid: props.cid }, json: buildingId ? { buildingId } : {} }));
    setResult(r.issued);
    props.onIssued();
  });
  return (
    <div class="panel">
      <h2>{t('passes.issueMissing')}</h2>
      <p class="muted">{t('passes.issueMissingHint')}</p>
      <Form onSubmit={issue.run} class="form inline">
        <Field label={t('roster.building')}>
          <BuildingSelect
            buildings={props.buildings}
            value={buildingId}
            allLabel={t('roster.allBuildings')}
            onChange={(v) => {
              setBuildingId(v);
              setResult(null);
            }}
          />
        </Field>
        <button type="submit" class="primary" disabled={issue.busy}>
          {t('passes.issueMissingButton')}
        </button>
      </Form>
      <ErrorBox error={issue.error} />
      {result !== null && (
        <p class="ok-text" role="status">
          {result ? t('passes.issuedN', { n: result }) : t('passes.issuedNone')}
        </p>
      )}
    </div>
  );
}

/** Links to each building's printable A4 sheet of pass cards (the server renders it). */
function PassSheets(props: { base: string; buildings: Building[] | undefined }) {
  const { t, lang } = useI18n();
  return (
    <div class="panel">
      <h2>{t('passes.sheets')}</h2>
      <p class="muted">{t('passes.sheetsHint')}</p>
      {!props.buildings ? (
        <Loading />
      ) : (
        <ul class="sheet-links">
          {props.buildings.map((b) => (
            <li key={b.id}>
              <a href={`${props.base}/buildings/${b.id}/pass-sheet?lang=${lang}`} target="_blank" rel="noreferrer">
                {b.name}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RevokeForm(props: { cid: string; r: ResidentRow; passId: number; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const revoke = useAction(async () => {
    await call(compound.passes[':id'].revoke.$post({ param: { cid: props.cid, id: String(props.passId) }, json: { reason } }));
    props.onDone();
  });
  const listId = `revoke-reasons-${props.passId}`;
  return (
    <div class="editor single">
      <Form onSubmit={revoke.run} class="form inline">
        <Field label={t('passes.revokeReason', { name: props.r.name, no: props.passId })} hint={t('passes.revokeHint')}>
          <input name="reason" list={listId} value={reason} required maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <datalist id={listId}>
          {t('passes.revokeReasons')
            .split('|')
            .map((x) => (
              <option key={x} value={x} />
            ))}
        </datalist>
        <button type="submit" class="primary danger-fill" disabled={revoke.busy}>
          {t('passes.revoke')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </Form>
      <ErrorBox error={revoke.error} />
    </div>
  );
}

/** Every pass a resident has had: when issued, when and why revoked; the current one's QR. */
function PassHistory(props: { cid: string; r: ResidentRow; tz: string; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const list = useLoad(() => call(compound.passes.$get({ param: { cid: props.cid }, query: { residentId: props.r.id } })), [props.r.id]);
  const active = list.data?.passes.find((p) => p.status === 'active');
  return (
    <div class="editor single pass-history">
      <ErrorBox error={list.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <>
          {active && <img class="qr" src={`/api/compounds/${props.cid}/passes/${active.id}/qr.svg`} alt={`No. ${active.id}`} width={120} height={120} />}
          {active && <PhonePanel cid={props.cid} passId={active.id} tz={props.tz} manage={props.manage} />}
          <table class="table compact">
            <thead>
              <tr>
                <th>No.</th>
                <th>{t('status')}</th>
                <th>{t('roster.issuedAt')}</th>
                <th>{t('passes.revokedAt')}</th>
                <th>{t('passes.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.passes.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    {t('passes.never')}
                  </td>
                </tr>
              )}
              {list.data.passes.map((p) => (
                <tr key={p.id}>
                  <td>{p.id}</td>
                  <td>{p.status === 'active' ? <Badge tone="ok">{t('roster.passActive')}</Badge> : <Badge tone="muted">{t('passes.revoked')}</Badge>}</td>
                  <td>{dateTime(p.issuedAt, props.tz)}</td>
                  <td>{p.revokedAt ? dateTime(p.revokedAt, props.tz) : '—'}</td>
                  <td>{p.revokeReason ? (hasString(`passes.why.${p.revokeReason}`) ? t(`passes.why.${p.revokeReason}`) : p.revokeReason) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/**
 * The pass's phone (手机通行码): bound since when, a new single-use activation link as a QR for the
 * resident to scan (a new one replaces the phone bound now, once used), and unbinding a lost phone.
 */
function PhonePanel(props: { cid: string; passId: number; tz: string; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const param = { cid: props.cid, id: String(props.passId) };
  const phone = useLoad(() => call(compound.passes[':id'].phone.$get({ param })), [props.passId]);
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const make = useAction(async () => setLink(await call(compound.passes[':id'].activation.$post({ param }))));
  const unbind = useAction(async () => {
    const reason = prompt(t('passes.phoneUnbindReason'));
    if (!reason?.trim()) return;
    await call(compound.passes[':id'].unbind.$post({ param, json: { reason: reason.trim() } }));
    phone.reload();
  });
  return (
    <div class="phone-panel" data-testid="phone-panel">
      <h3>{t('passes.phone')}</h3>
      <ErrorBox error={phone.error || make.error || unbind.error} />
      <p>{phone.data ? (phone.data.boundAt ? t('passes.phoneBound', { at: dateTime(phone.data.boundAt, props.tz) }) : t('passes.phoneNone')) : '…'}</p>
      {props.manage && (
        <div class="row-actions">
          <button type="button" class="small" disabled={make.busy} onClick={() => make.run()}>
            {t('passes.phoneLink')}
          </button>
          {phone.data?.boundAt && (
            <button type="button" class="small danger" disabled={unbind.busy} onClick={() => unbind.run()}>
              {t('passes.phoneUnbind')}
            </button>
          )}
        </div>
      )}
      {link && (
        <div class="phone-link" data-url={link.url}>
          <QrCode text={link.url} size={160} label={t('passes.phoneLink')} />
          <div class="muted">{t('passes.phoneLinkHint', { until: dateTime(link.expiresAt, props.tz) })}</div>
        </div>
      )}
    </div>
  );
}
