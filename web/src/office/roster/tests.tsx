import { useState } from 'preact/hooks';
import { call, client, type Data } from '../../client';
import { useI18n } from '../../i18n';
import { ErrorBox, Field, Loading, useLoad } from '../../ui/kit';
import type { Compound } from '../types';
import { ImportPanel, ImportRows } from './import-panel';

const compound = client.api.compounds[':cid'];
type TestImportReport = Data<typeof compound.imports.tests.$post>;

const imported = (r: TestImportReport) => r.rows.filter((x) => x.status === 'imported').length;

/** Testing rounds imported from the station's spreadsheets: their reports, and importing a new one. */
export function TestsTab(props: { compound: Compound; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const cid = String(props.compound.id);
  const rounds = useLoad(() => call(compound['test-rounds'].$get({ param: { cid } })), [cid]);
  const [open, setOpen] = useState<number | null>(null);
  const [name, setName] = useState('');

  return (
    <div class="roster">
      {props.manage && (
        <ImportPanel
          upload={(form) => call(compound.imports.tests.$post({ param: { cid }, form: { ...form, ...(name.trim() ? { name: name.trim() } : {}) } }))}
          title={t('tests.import')}
          hint={t('tests.importHint')}
          extra={
            <Field label={t('tests.roundName')}>
              <input name="roundName" value={name} maxLength={60} placeholder={t('tests.roundNameHint')} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
          }
          summary={(r) => t('tests.importSummary', { imported: r.applied ? r.imported : imported(r), unmatched: r.unmatched, rejected: r.rejected })}
          writable={imported}
          rowsWhenDone={false}
          onApplied={(r) => {
            setName('');
            rounds.reload();
            if (r.roundId) setOpen(r.roundId);
          }}
        />
      )}
      <h2>{t('tests.rounds')}</h2>
      <ErrorBox error={rounds.error} />
      {!rounds.data ? (
        <Loading />
      ) : (
        <div class="table-wrap">
          <table class="table roster-table" data-testid="test-rounds">
            <thead>
              <tr>
                <th>{t('tests.round')}</th>
                <th>{t('tests.file')}</th>
                <th>{t('tests.importedAt')}</th>
                <th class="num">{t('tests.matched')}</th>
                <th class="num">{t('tests.unmatched')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rounds.data.rounds.length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    {t('tests.noRounds')}
                  </td>
                </tr>
              )}
              {rounds.data.rounds.map((r) => [
                <tr key={r.id} class={open === r.id ? 'open' : ''}>
                  <td>
                    <strong>{r.name}</strong>
                  </td>
                  <td class="muted">{r.fileName}</td>
                  <td class="nowrap">{dateTime(r.importedAt, props.compound.timezone)}</td>
                  <td class="num">{r.matched}</td>
                  <td class="num">{r.unmatched ? <span class="warn-text">{r.unmatched}</span> : 0}</td>
                  <td>
                    <button type="button" class="small" onClick={() => setOpen(open === r.id ? null : r.id)}>
                      {open === r.id ? t('close') : t('tests.report')}
                    </button>
                  </td>
                </tr>,
                open === r.id && (
                  <tr key={`${r.id}-report`} class="editor-row">
                    <td colSpan={6}>
                      <RoundReport cid={cid} id={r.id} />
                    </td>
                  </tr>
                ),
              ])}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** One round's stored import report: who matched, who did not and why. */
function RoundReport(props: { cid: string; id: number }) {
  const { t } = useI18n();
  const round = useLoad(() => call(compound['test-rounds'][':id'].$get({ param: { cid: props.cid, id: String(props.id) } })), [props.id]);
  if (round.error) return <ErrorBox error={round.error} />;
  if (!round.data) return <Loading />;
  const rep = round.data.round.report;
  return (
    <div class="round-report">
      <p>{t('tests.importSummary', { imported: rep.imported, unmatched: rep.unmatched, rejected: rep.rejected })}</p>
      <ImportRows rows={rep.rows} />
    </div>
  );
}
