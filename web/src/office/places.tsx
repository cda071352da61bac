import { useState } from 'preact/hooks';
import type { InferRequestType } from 'hono/client';
import { call, client, type Data } from '../client';
import { useI18n } from '../i18n';
import { ErrorBox, Form, Loading, useAction, useLoad } from '../ui/kit';

type Kind = 'gates' | 'buildings' | 'points';
type Places = (typeof client.api.compounds)[':cid'][Kind];
/** A row as the table edits it: the row the server sent, its columns looked up by key. */
type Item = Data<Places['$get']>['items'][number] & Record<string, string | number | null>;
type BodyOf<K extends Kind> = InferRequestType<(typeof client.api.compounds)[':cid'][K]['$post']>['json'];
/** A draft has the columns of its kind (COLUMNS), which is what that kind's routes accept. */
type Body = BodyOf<'gates'> & BodyOf<'buildings'> & BodyOf<'points'>;

interface Column {
  key: string;
  label: string;
  type: 'text' | 'number' | 'pointKind';
  default: string | number;
}

/** Gates, buildings and points: one table and form, their columns differ (mirrors server/compounds/routes.ts). */
const COLUMNS: Record<Kind, Column[]> = {
  gates: [{ key: 'name', label: 'name', type: 'text', default: '' }],
  buildings: [
    { key: 'name', label: 'name', type: 'text', default: '' },
    { key: 'unitCount', label: 'unitCount', type: 'number', default: 1 },
    { key: 'floorCount', label: 'floorCount', type: 'number', default: 6 },
    { key: 'elevatorCount', label: 'elevatorCount', type: 'number', default: 1 },
  ],
  points: [
    { key: 'name', label: 'name', type: 'text', default: '' },
    { key: 'kind', label: 'kind', type: 'pointKind', default: 'sampling' },
  ],
};

function blank(kind: Kind): Record<string, string | number> {
  return Object.fromEntries(COLUMNS[kind].map((c) => [c.key, c.default]));
}

function Input(props: { col: Column; value: string | number; onChange: (v: string | number) => void }) {
  const { t } = useI18n();
  const { col } = props;
  if (col.type === 'pointKind') {
    return (
      <select name={col.key} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {['sampling', 'gate', 'other'].map((k) => (
          <option key={k} value={k}>
            {t(`point.${k}`)}
          </option>
        ))}
      </select>
    );
  }
  if (col.type === 'number') {
    return (
      <input
        name={col.key}
        aria-label={t(col.label)}
        type="number"
        min={0}
        value={props.value}
        required
        onInput={(e) => props.onChange(Number(e.currentTarget.value))}
      />
    );
  }
  return <input name={col.key} aria-label={t(col.label)} value={props.value} required onInput={(e) => props.onChange(e.currentTarget.value)} />;
}

export function PlacesTab(props: { compoundId: number; kind: Kind; manage: boolean }) {
  const { t } = useI18n();
  const places = client.api.compounds[':cid'][props.kind];
  const cid = String(props.compoundId);
  const cols = COLUMNS[props.kind];
  const list = useLoad(() => call(places.$get({ param: { cid } })).then((r) => ({ items: r.items as Item[] })), [cid, props.kind]);
  const [draft, setDraft] = useState(blank(props.kind));
  const [edit, setEdit] = useState<Item | null>(null);
  const add = useAction(async () => {
    await call(places.$post({ param: { cid }, json: draft as Body }));
    setDraft(blank(props.kind));
    list.reload();
  });
  const save = useAction(async () => {
    if (!edit) return;
    const { id, ...rest } = edit;
    await call(places[':id'].$patch({ param: { cid, id: String(id) }, json: Object.fromEntries(cols.map((c) => [c.key, rest[c.key]])) as Body }));
    setEdit(null);
    list.reload();
  });
  const remove = useAction(async (id: number) => {
    if (!confirm(t('confirmDelete'))) return;
    await call(places[':id'].$delete({ param: { cid, id: String(id) } }));
    list.reload();
  });

  return (
    <div>
      <ErrorBox error={list.error || save.error || remove.error} />
      {!list.data ? (
        <Loading />
      ) : (
        <table class="table">
          <thead>
            <tr>
              {cols.map((c) => (
                <th key={c.key}>{t(c.label)}</th>
              ))}
              {props.manage && <th>{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.items.length === 0 && (
              <tr>
                <td colSpan={cols.length + 1} class="muted">
                  {t('none')}
                </td>
              </tr>
            )}
            {list.data.items.map((item) =>
              edit?.id === item.id ? (
                <tr key={item.id}>
                  {cols.map((c) => (
                    <td key={c.key}>
                      <Input col={c} value={edit[c.key] ?? ''} onChange={(v) => setEdit({ ...edit, [c.key]: v })} />
                    </td>
                  ))}
                  <td class="row-actions">
                    <button type="button" class="primary small" onClick={save.run} disabled={save.busy}>
                      {t('save')}
                    </button>
                    <button type="button" class="small" onClick={() => setEdit(null)}>
                      {t('cancel')}
                    </button>
                  </td>
                </tr>
              ) : (
                <tr key={item.id}>
                  {cols.map((c) => (
                    <td key={c.key}>{c.type === 'pointKind' ? t(`point.${item[c.key]}`) : item[c.key]}</td>
                  ))}
                  {props.manage && (
                    <td class="row-actions">
                      <button type="button" class="small" onClick={() => setEdit(item)}>
                        {t('edit')}
                      </button>
                      <button type="button" class="small danger" onClick={() => remove.run(item.id)}>
                        {t('delete')}
                      </button>
                    </td>
                  )}
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {props.manage && (
        <Form onSubmit={add.run} class="form inline panel">
          {cols.map((c) => (
            <label class="field" key={c.key}>
              <span>{t(c.label)}</span>
              <Input col={c} value={draft[c.key] ?? ''} onChange={(v) => setDraft({ ...draft, [c.key]: v })} />
            </label>
          ))}
          <button class="primary" type="submit" disabled={add.busy}>
            {t('add')}
          </button>
          <ErrorBox error={add.error} />
        </Form>
      )}
    </div>
  );
}
