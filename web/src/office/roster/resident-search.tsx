import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { Form } from '../../ui/kit';
import { type Building, emptyFilter, PAGE_SIZE, type ResidentFilter } from './residents-data';

// Finding residents: a building to pick, the search form, and the pages of results.

export function BuildingSelect(props: { buildings: Building[] | undefined; value: number | ''; onChange: (v: number | '') => void; allLabel?: string; required?: boolean; name?: string }) {
  const { t } = useI18n();
  return (
    <select name={props.name ?? 'buildingId'} value={props.value} required={props.required} onChange={(e) => props.onChange(e.currentTarget.value ? Number(e.currentTarget.value) : '')}>
      <option value="">{props.allLabel ?? t('roster.pickBuilding')}</option>
      {props.buildings?.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name}
        </option>
      ))}
    </select>
  );
}

/** Search by name / phone / room, optionally within a building. Applies on submit, not on each key. */
export function ResidentSearch(props: { buildings: Building[] | undefined; filter: ResidentFilter; onSearch: (f: ResidentFilter) => void; children?: ComponentChildren }) {
  const { t } = useI18n();
  const [q, setQ] = useState(props.filter.q);
  const [buildingId, setBuildingId] = useState<number | ''>(props.filter.buildingId);
  // A filter set from elsewhere (a quarantined household picked) shows in the boxes too.
  useEffect(() => {
    setQ(props.filter.q);
    setBuildingId(props.filter.buildingId);
  }, [props.filter.q, props.filter.buildingId]);
  return (
    <Form onSubmit={() => props.onSearch({ q, buildingId, offset: 0 })} class="form inline roster-search">
      <label class="field">
        <span>{t('roster.building')}</span>
        <BuildingSelect
          buildings={props.buildings}
          value={buildingId}
          allLabel={t('roster.allBuildings')}
          onChange={(v) => {
            setBuildingId(v);
            props.onSearch({ q, buildingId: v, offset: 0 });
          }}
        />
      </label>
      <label class="field grow">
        <span>{t('roster.search')}</span>
        <input name="q" type="search" value={q} maxLength={40} placeholder={t('roster.searchHint')} onInput={(e) => setQ(e.currentTarget.value)} />
      </label>
      <button type="submit">{t('roster.find')}</button>
      {(props.filter.q || props.filter.buildingId) && (
        <button
          type="button"
          class="link"
          onClick={() => {
            setQ('');
            setBuildingId('');
            props.onSearch(emptyFilter);
          }}
        >
          {t('roster.clear')}
        </button>
      )}
      {props.children}
    </Form>
  );
}

export function Pager(props: { total: number; offset: number; onOffset: (n: number) => void }) {
  const { t } = useI18n();
  const { total, offset } = props;
  if (total <= PAGE_SIZE) return <p class="muted pager">{t('roster.total', { n: total })}</p>;
  return (
    <div class="pager">
      <span class="muted">{t('roster.range', { from: offset + 1, to: Math.min(offset + PAGE_SIZE, total), n: total })}</span>
      <button type="button" class="small" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - PAGE_SIZE))}>
        {t('roster.prev')}
      </button>
      <button type="button" class="small" disabled={offset + PAGE_SIZE >= total} onClick={() => props.onOffset(offset + PAGE_SIZE)}>
        {t('roster.next')}
      </button>
    </div>
  );
}
