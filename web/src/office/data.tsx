import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { useState } from 'preact/hooks';
import { type VerifyResult, verifyCertificate } from '../../../server/core/certificate';
import { call, client } from '../client';
import { hasString, useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import type { Compound } from './types';

ed.hashes.sha512 = sha512;

function Counts({ counts }: { counts: Record<string, number> }) {
  const { t, lang } = useI18n();
  return (
    <span>
      {Object.entries(counts)
        .map(([k, n]) => `${(hasString(`data.kind.${k}`) ? t(`data.kind.${k}`) : k)} ${n.toLocaleString('en-US')}`)
        .join(lang === 'zh' ? '，' : ', ')}
    </span>
  );
}

/** Check a certificate in the browser, offline: the same checks as the command line (core/certificate.ts). */
export function verifyInBrowser(text: string, fingerprint: string): VerifyResult {
  return verifyCertificate(text, fingerprint, { sha256, ed25519Verify: (sig, msg, key) => ed.verify(sig, msg, key) });
}


function VerifyPanel({ fingerprint }: { fingerprint: string }) {
  const { t, dateTime } = useI18n();
  const [text, setText] = useState('');
  const [fp, setFp] = useState(fingerprint);
  const [result, setResult] = useState<VerifyResult | null>(null);
  return (
    <section class="panel" data-testid="verify-certificate">
      <h2>{t('data.verify_a_deletion_certificate')}</h2>
      <p class="muted">
        {t('data.checked_here_in_the')}
      </p>
      <Form onSubmit={() => setResult(verifyInBrowser(text, fp))}>
        <Field label={t('data.certificate_file_json')}>
          <input
            type="file"
            accept="application/json,.json"
            data-testid="verify-file"
            onChange={async (e) => {
              const f = e.currentTarget.files?.[0];
              if (f) setText(await f.text());
              setResult(null);
            }}
          />
        </Field>
        <Field label={t('data.signing_key_fingerprint')}>
          <input name="fingerprint" value={fp} onInput={(e) => setFp(e.currentTarget.value)} class="mono" size={80} />
        </Field>
        <button type="submit" class="primary" disabled={!text}>
          {t('data.verify')}
        </button>
      </Form>
      {result &&
        (result.ok ? (
          <div class="notice ok" data-testid="verify-result">
            ✓ {t('data.valid')}: {result.certificate.compound?.name ?? t('data.the_whole_district')} · {dateTime(result.certificate.issuedAt)} ·{' '}
            {result.certificate.issuedBy.name} · <Counts counts={result.certificate.deleted} />
          </div>
        ) : (
          <div class="notice warn" role="alert" data-testid="verify-result">
            ✕ {t('data.not_valid')}: {t(`data.why.${result.why}`)}
          </div>
        ))}
    </section>
  );
}

/** 数据管理 (admin): the key fingerprint, backups and the button, scheduled jobs, end of lockdown, certificates. */
export function DataPage() {
  const { t, lang, dateTime } = useI18n();
  const { me } = useSession();
  const page = useLoad(() => call(client.api.lifecycle.$get()), []);
  const compounds = useLoad(() => call(client.api.compounds.$get()), []);
  const backup = useAction(async () => {
    await call(client.api.lifecycle.backups.$post());
    page.reload();
  });
  const [end, setEnd] = useState<{ compoundId: string; confirm: string }>({ compoundId: '', confirm: '' });
  const endLockdown = useAction(async () => {
    await call(client.api.lifecycle['end-lockdown'].$post({ json: { compoundId: end.compoundId === 'all' ? null : Number(end.compoundId), confirm: end.confirm } }));
    setEnd({ compoundId: '', confirm: '' });
    page.reload();
  });
  if (me?.role !== 'admin') return <p class="muted">{t('data.administrators_only')}</p>;
  if (page.error) return <ErrorBox error={page.error} />;
  if (!page.data) return <Loading />;
  const d = page.data;
  const target = compounds.data?.compounds.find((c) => String(c.id) === end.compoundId);
  const expected = end.compoundId === 'all' ? d.districtConfirmation : target?.name;
  return (
    <section class="data-page">
      <h1>{t('data.data')}</h1>
      <section class="panel">
        <h2>{t('data.signing_key_fingerprint')}</h2>
        <p>
          <code class="mono" data-testid="key-fingerprint">
            {d.key.shown}
          </code>
        </p>
        <p class="muted small">
          {t('data.passes_placards_and_deletion')}
        </p>
      </section>

      <section class="panel">
        <h2>{t('data.backups')}</h2>
        {d.database === 'sqlite' ? (
          <>
            <p class="muted">
              {d.backup.scheduled
                ? t('data.backed_up_every_h', { v1: d.backup.everyHours, v2: d.backup.dir ?? '', v3: d.backup.keep })
                : t('data.no_scheduled_backups_backup', { v1: d.backup.dir ?? '' })}
            </p>
            <p>
              <button type="button" class="primary" onClick={() => backup.run()} disabled={backup.busy} data-testid="backup-now">
                {backup.busy ? t('data.backing_up') : t('data.back_up_now')}
              </button>
            </p>
            <ErrorBox error={backup.error} />
            <table data-testid="backups">
              <thead>
                <tr>
                  <th>{t('data.file')}</th>
                  <th>{t('data.when')}</th>
                  <th class="n">{t('data.size')}</th>
                  <th>{t('data.how')}</th>
                </tr>
              </thead>
              <tbody>
                {d.backups.length === 0 && (
                  <tr>
                    <td colSpan={4} class="muted">
                      {t('data.no_backups_yet')}
                    </td>
                  </tr>
                )}
                {d.backups.map((b) => (
                  <tr key={b.id}>
                    <td>
                      <code>{b.name}</code> {!b.present && <Badge tone="warn">{t('data.file_gone')}</Badge>}
                    </td>
                    <td>{dateTime(b.finishedAt)}</td>
                    <td class="n">{(b.size / 1024 / 1024).toFixed(1)} MB</td>
                    <td>{{ schedule: t('data.scheduled'), button: t('data.button'), command: t('data.command') }[b.kind]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p class="muted">{t('data.postgresql_back_up_and')}</p>
        )}
      </section>

      <section class="panel">
        <h2>{t('data.scheduled_jobs')}</h2>
        <table>
          <tbody>
            {d.jobs.length === 0 && (
              <tr>
                <td class="muted">{t('data.listed_once_the_server')}</td>
              </tr>
            )}
            {d.jobs.map((j) => (
              <tr key={j.name}>
                <td>
                  <code>{j.name}</code>
                </td>
                <td>{j.lastRunAt ? dateTime(j.lastRunAt) : '—'}</td>
                <td>{j.running && <Badge tone="ok">{t('data.running')}</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section class="panel danger" data-testid="end-lockdown">
        <h2>{t('data.end_the_epidemic_control')}</h2>
        <p>
          {t('data.deletes_the_residents_names')}
        </p>
        <Form onSubmit={endLockdown.run} class="form inline">
          <Field label={t('data.scope')}>
            <select name="compoundId" value={end.compoundId} onChange={(e) => setEnd({ compoundId: e.currentTarget.value, confirm: '' })}>
              <option value="">{t('data.choose')}</option>
              {compounds.data?.compounds.map((c: Compound) => (
                <option key={c.id} value={String(c.id)}>
                  {c.name}
                </option>
              ))}
              <option value="all">{t('data.the_whole_district2')}</option>
            </select>
          </Field>
          <Field label={expected ? t('data.type_to_confirm', { v1: expected }) : t('data.confirm')}>
            <input name="confirm" value={end.confirm} onInput={(e) => setEnd({ ...end, confirm: e.currentTarget.value })} autocomplete="off" />
          </Field>
          <button type="submit" class="danger" disabled={!expected || end.confirm.trim() !== expected || endLockdown.busy}>
            {endLockdown.busy ? t('data.deleting') : t('data.delete_the_personal_data')}
          </button>
        </Form>
        <ErrorBox error={endLockdown.error} />
      </section>

      <section class="panel">
        <h2>{t('data.deletion_certificates')}</h2>
        {d.certificates.length === 0 ? (
          <p class="muted">{t('data.none_issued_yet')}</p>
        ) : (
          <table data-testid="certificates">
            <tbody>
              {d.certificates.map((c) => (
                <tr key={c.id}>
                  <td>{c.compound?.name ?? t('data.the_whole_district')}</td>
                  <td>{dateTime(c.issuedAt)}</td>
                  <td>
                    <Counts counts={c.deleted} />
                  </td>
                  <td>
                    <a href={`/api/lifecycle/certificates/${c.id}/print?lang=${lang}`} target="_blank" rel="noreferrer">
                      {t('data.print')}
                    </a>{' '}
                    · <a href={`/api/lifecycle/certificates/${c.id}`}>{t('data.download_json')}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <VerifyPanel fingerprint={d.key.fingerprint} />
    </section>
  );
}

/** A compound's retention: days kept per kind (a manager edits them), and the last purge. */
export function RetentionTab({ compound, manage }: { compound: Compound; manage: boolean }) {
  const { t, dateTime } = useI18n();
  const tz = compound.timezone;
  const cid = String(compound.id);
  const r = useLoad(() => call(client.api.compounds[':cid'].retention.$get({ param: { cid } })), [cid]);
  const [edit, setEdit] = useState<Record<string, string> | null>(null);
  const save = useAction(async () => {
    if (!edit) return;
    const json = Object.fromEntries(Object.entries(edit).map(([k, v]) => [k, v.trim() === '' ? null : Number(v)]));
    await call(client.api.compounds[':cid'].retention.$patch({ param: { cid }, json }));
    setEdit(null);
    r.reload();
  });
  if (r.error) return <ErrorBox error={r.error} />;
  if (!r.data) return <Loading />;
  const s = r.data.retention;
  const rows: (keyof typeof s.defaults)[] = ['gateDays', 'photoDays', 'testDays', 'recordDays'];
  return (
    <div class="retention" data-testid="retention">
      <p class="muted">
        {t('data.data_past_its_retention')}
      </p>
      <Form onSubmit={save.run}>
        <table>
          <thead>
            <tr>
              <th>{t('data.data2')}</th>
              <th class="n">{t('data.days_kept')}</th>
              <th>{t('data.set_by')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <tr key={k}>
                <td>{t(`data.retention.${k}`)}</td>
                <td class="n">
                  {edit ? (
                    <input name={k} type="number" min={1} max={3650} placeholder={String(s.defaults[k])} value={edit[k]} onInput={(e) => setEdit({ ...edit, [k]: e.currentTarget.value })} size={5} />
                  ) : (
                    s[k]
                  )}
                </td>
                <td>{s.own[k] ? <Badge tone="ok">{t('data.this_compound')}</Badge> : <span class="muted">{t('data.default_days', { v1: s.defaults[k] })}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {manage &&
          (edit ? (
            // Keys: the edit button must not become the submit button under the same click (Preact would reuse it).
            <p class="row-actions" key="save">
              <button type="submit" class="primary" disabled={save.busy}>
                {t('data.save')}
              </button>
              <button type="button" onClick={() => setEdit(null)}>
                {t('data.cancel')}
              </button>
              <span class="muted small">{t('data.leave_empty_for_the')}</span>
            </p>
          ) : (
            <p key="edit">
              <button type="button" onClick={() => setEdit(Object.fromEntries(rows.map((k) => [k, s.own[k] ? String(s[k]) : ''])))}>
                {t('data.change_retention')}
              </button>
            </p>
          ))}
        <ErrorBox error={save.error} />
      </Form>
      <section class="panel" data-testid="last-purge">
        <h2>{t('data.last_purge')}</h2>
        {s.lastPurge && s.lastPurgeAt ? (
          <>
            <p>
              {dateTime(s.lastPurgeAt, tz)} · <Counts counts={s.lastPurge.counts} />
            </p>
            <p class="muted small">
              {Object.entries(s.lastPurge.ranges)
                .map(([k, v]) => `${(hasString(`data.kind.${k}`) ? t(`data.kind.${k}`) : k)}: ${dateTime(v!.from, tz)} — ${dateTime(v!.to, tz)}`)
                .join(' · ')}
            </p>
          </>
        ) : (
          <p class="muted">{t('data.no_purge_yet')}</p>
        )}
      </section>
      <p class="muted small">
        <Link href="/audit">{t('data.each_purge_is_in')}</Link>
      </p>
    </div>
  );
}
