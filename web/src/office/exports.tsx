import { useState } from 'preact/hooks';
import { addDays, zonedDate } from '../../../server/core/time';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Field, Loading, useLoad } from '../ui/kit';
import type { Compound } from './types';
import { sortNaturally } from '../../../server/core/natural';
import { DateField, DateTimeField } from '../ui/date-field';

const DATASETS = ['gate-checks', 'daily-summaries', 'disinfection', 'shifts'] as const;

/** Downloads (CSV / XLSX) and print views, for the compounds in the user's scope. */
export function ExportsPage() {
  const { t, lang } = useI18n();
  const compounds = useLoad(() => call(client.api.compounds.$get()), []);
  const today = zonedDate(Date.now(), Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [dataset, setDataset] = useState<(typeof DATASETS)[number]>('gate-checks');
  const [compoundId, setCompoundId] = useState('');
  const [from, setFrom] = useState(addDays(today, -6));
  const [to, setTo] = useState(today);
  const [format, setFormat] = useState<'csv' | 'xlsx'>('xlsx');
  const qs = new URLSearchParams({ from, to, format, lang });
  if (compoundId) qs.set('compoundId', compoundId);
  if (compounds.error) return <ErrorBox error={compounds.error} />;
  if (!compounds.data) return <Loading />;
  const list = compounds.data.compounds;
  return (
    <section>
      <h1>{t('ex.title')}</h1>
      <div class="panel">
        <h2>{t('exports')}</h2>
        <div class="form grid">
          <Field label={t('ex.dataset')}>
            <select name="dataset" value={dataset} onChange={(e) => setDataset(e.currentTarget.value as typeof dataset)}>
              {DATASETS.map((d) => (
                <option key={d} value={d}>
                  {t(`ex.${d}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('ex.compound')}>
            <select name="compoundId" value={compoundId} onChange={(e) => setCompoundId(e.currentTarget.value)}>
              <option value="">{t('ex.allCompounds')}</option>
              {list.map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('ov.from')}>
            <DateField name="from" value={from} max={to} onChange={setFrom} required />
          </Field>
          <Field label={t('ov.to')}>
            <DateField name="to" value={to} min={from} onChange={setTo} required />
          </Field>
          <Field label={t('ex.format')}>
            <select name="format" value={format} onChange={(e) => setFormat(e.currentTarget.value as 'csv' | 'xlsx')}>
              <option value="xlsx">Excel (XLSX)</option>
              <option value="csv">CSV</option>
            </select>
          </Field>
        </div>
        <p>
          <a class="button primary" href={`/api/exports/${dataset}?${qs}`} download data-testid="download">
            {t('ex.download')}
          </a>
        </p>
        <p class="muted">{t('ex.hint')}</p>
      </div>
      <PrintViews compounds={list} today={today} />
    </section>
  );
}

function PrintViews(props: { compounds: Compound[]; today: string }) {
  const { t, lang } = useI18n();
  const [compoundId, setCompoundId] = useState(String(props.compounds[0]?.id ?? ''));
  const [date, setDate] = useState(props.today);
  const [buildingId, setBuildingId] = useState('');
  const [from, setFrom] = useState(`${addDays(props.today, -2)}T00:00`);
  const [to, setTo] = useState(`${props.today}T23:59`);
  const buildings = useLoad(
    () => (compoundId ? call(client.api.compounds[':cid'].buildings.$get({ param: { cid: compoundId } })) : Promise.resolve({ items: [] })),
    [compoundId],
  );
  const sorted = sortNaturally(buildings.data?.items ?? []);
  const building = buildingId || String(sorted[0]?.id ?? '');
  const [others, setOthers] = useState(false);
  const dossier = new URLSearchParams({ from: from.replace('T', ' '), to: to.replace('T', ' '), lang, ...(others ? { others: '1' } : {}) });
  return (
    <div class="panel">
      <h2>{t('ex.print')}</h2>
      <div class="form grid">
        <Field label={t('ex.compound')}>
          <select
            name="printCompound"
            value={compoundId}
            onChange={(e) => {
              setCompoundId(e.currentTarget.value);
              setBuildingId('');
            }}
          >
            {props.compounds.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <h3>{t('ex.dailyReport')}</h3>
      <div class="form inline toolbar">
        <Field label={t('ex.date')}>
          <DateField name="reportDate" value={date} max={props.today} onChange={setDate} required />
        </Field>
        <a class="button" href={`/api/compounds/${compoundId}/reports/daily?date=${date}&lang=${lang}`} target="_blank" rel="noreferrer">
          {t('ex.open')}
        </a>
      </div>
      <h3>{t('ex.dossier')}</h3>
      <p class="muted">{t('ex.dossierHint')}</p>
      <div class="form inline toolbar">
        <Field label={t('ex.building')}>
          <select name="building" value={building} onChange={(e) => setBuildingId(e.currentTarget.value)}>
            {sorted.map((b) => (
              <option key={b.id} value={String(b.id)}>
                {b.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('ov.from')}>
          <DateTimeField name="dossierFrom" value={from} onChange={setFrom} />
        </Field>
        <Field label={t('ov.to')}>
          <DateTimeField name="dossierTo" value={to} onChange={setTo} />
        </Field>
        <label class="check">
          <input type="checkbox" name="dossierOthers" checked={others} onChange={(e) => setOthers(e.currentTarget.checked)} /> {t('ex.dossierOthers')}
        </label>
        {building && (
          <>
            <a class="button" href={`/api/compounds/${compoundId}/buildings/${building}/dossier?${dossier}`} target="_blank" rel="noreferrer">
              {t('ex.open')}
            </a>
            <a class="button" href={`/api/compounds/${compoundId}/buildings/${building}/dossier?${dossier}&format=xlsx`}>
              XLSX
            </a>
          </>
        )}
      </div>
    </div>
  );
}
