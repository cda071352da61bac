import { useState } from 'preact/hooks';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Loading, useLoad } from '../ui/kit';
import type { Compound } from './types';

const resident = client.api.compounds[':cid'].residents[':id'];

/**
 * Gate contacts (时空伴随) of a resident: everyone who passed the same gate within ±N minutes of their
 * passages over the last D days, grouped by household, each with the passages that make them a contact;
 * printable and CSV/XLSX. The server writes every view and export to the audit log.
 */
export function ContactsTab(props: { compound: Compound; residentId: number }) {
  const { t, dateTime, lang } = useI18n();
  const cid = String(props.compound.id);
  const tz = props.compound.timezone;
  const [minutes, setMinutes] = useState(10);
  const [days, setDays] = useState(7);
  const data = useLoad(() => call(resident.contacts.$get({ param: { cid, id: String(props.residentId) }, query: { minutes: String(minutes), days: String(days) } })), [cid, props.residentId, minutes, days]);
  const link = (format: string) => `/api/compounds/${cid}/residents/${props.residentId}/contacts/export?${new URLSearchParams({ minutes: String(minutes), days: String(days), format, lang })}`;
  const g = data.data;
  const at = (iso: string) => dateTime(iso, tz);
  return (
    <section class="contacts">
      <h2>{g ? t('ct.title', { name: `${g.resident.name}（${g.resident.building} ${g.resident.unit}-${g.resident.room}）` }) : t('contacts')}</h2>
      <div class="form inline toolbar">
        <label class="field">
          <span>{t('ct.minutes')}</span>
          <input type="number" name="minutes" min={1} max={120} value={minutes} onChange={(e) => setMinutes(Number(e.currentTarget.value) || 10)} />
        </label>
        <label class="field">
          <span>{t('ct.days')}</span>
          <input type="number" name="days" min={1} max={31} value={days} onChange={(e) => setDays(Number(e.currentTarget.value) || 7)} />
        </label>
        <a class="button" href={link('print')} target="_blank" rel="noreferrer">
          {t('ct.print')}
        </a>
        <a class="button" href={link('csv')}>
          CSV
        </a>
        <a class="button" href={link('xlsx')}>
          XLSX
        </a>
      </div>
      <ErrorBox error={data.error} />
      {!g ? (
        <Loading />
      ) : (
        <>
          <p data-testid="contacts-summary">{t('ct.summary', { days: g.days, passages: g.passages.length, minutes: g.minutes, people: g.people, households: g.households.length })}</p>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>{t('ct.case')}</th>
                  <th>{t('ct.gate')}</th>
                </tr>
              </thead>
              <tbody>
                {g.passages.map((p) => (
                  <tr key={p.checkId}>
                    <td>{at(p.at)}</td>
                    <td>
                      {p.gate} {t(`dir.${p.direction}`)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="table-wrap">
            <table class="table" data-testid="contacts">
              <thead>
                <tr>
                  <th>{t('ct.household')}</th>
                  <th>{t('ct.name')}</th>
                  <th>{t('phone')}</th>
                  <th>{t('ct.passages')}</th>
                </tr>
              </thead>
              <tbody>
                {g.households.map((h) =>
                  h.members.map((m, i) => (
                    <tr key={`${h.householdId}-${m.residentId ?? m.name}`}>
                      {i === 0 && (
                        <th rowSpan={h.members.length}>{h.householdId ? `${h.building} ${h.unit}-${h.room}` : t('ct.visitors')}</th>
                      )}
                      <td>{m.name}</td>
                      <td>{m.phone ?? ''}</td>
                      <td>
                        {m.passages.map((p) => (
                          <div key={`${p.checkId}-${p.caseCheckId}`}>
                            {p.gate} {t(`dir.${p.direction}`)} {at(p.at)} · {t('ct.gap', { gap: p.gapMinutes > 0 ? `+${p.gapMinutes}` : String(p.gapMinutes) })}
                          </div>
                        ))}
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
