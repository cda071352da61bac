import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { useState } from 'preact/hooks';
import { type VerifyResult, verifyCertificate } from '../../../server/core/certificate';
import { call, client } from '../client';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import { Badge, ErrorBox, Field, Form, Loading, useAction, useLoad } from '../ui/kit';
import type { Compound } from './types';

ed.hashes.sha512 = sha512;

/** One sentence in the UI's language (this page's words live with it). */
const useWords = () => {
  const { lang } = useI18n();
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
};

const KIND_WORDS: Record<string, [string, string]> = {
  gateChecks: ['通行记录', 'gate checks'],
  visitors: ['访客', 'visitors'],
  photos: ['照片', 'photos'],
  testResults: ['核酸结果', 'test results'],
  disinfectionRecords: ['消杀记录', 'disinfection records'],
  shifts: ['班次', 'shifts'],
  residents: ['居民', 'residents'],
  households: ['住户', 'households'],
  passes: ['通行码', 'passes'],
  auditRowsRedacted: ['审计隐去', 'audit rows redacted'],
  tabletsRevoked: ['吊销平板', 'tablets revoked'],
};
function Counts({ counts }: { counts: Record<string, number> }) {
  const { lang } = useI18n();
  return (
    <span>
      {Object.entries(counts)
        .map(([k, n]) => `${KIND_WORDS[k]?.[lang === 'zh' ? 0 : 1] ?? k} ${n.toLocaleString('en-US')}`)
        .join(lang === 'zh' ? '，' : ', ')}
    </span>
  );
}

/** Check a certificate in the browser, offline: the same checks as the command line (core/certificate.ts). */
export function verifyInBrowser(text: string, fingerprint: string): VerifyResult {
  return verifyCertificate(text, fingerprint, { sha256, ed25519Verify: (sig, msg, key) => ed.verify(sig, msg, key) });
}

const WHY: Record<string, [string, string]> = {
  not_json: ['不是 JSON 文件', 'not a JSON file'],
  not_a_certificate: ['不是门岗系统的销毁证明', 'not a Gatepost deletion certificate'],
  altered_form: ['文件在签发后被改动过', 'the file was changed after it was issued'],
  bad_fingerprint: ['指纹应为 64 位十六进制数字', 'the fingerprint must be 64 hex digits'],
  other_key: ['不是由该指纹对应的密钥签发', 'not signed by the key with this fingerprint'],
  bad_signature: ['签名与内容不符：内容被改动过', 'the signature does not match: the content was changed'],
};

function VerifyPanel({ fingerprint }: { fingerprint: string }) {
  const w = useWords();
  const { lang, dateTime } = useI18n();
  const [text, setText] = useState('');
  const [fp, setFp] = useState(fingerprint);
  const [result, setResult] = useState<VerifyResult | null>(null);
  return (
    <section class="panel" data-testid="verify-certificate">
      <h2>{w('核验销毁证明', 'Verify a deletion certificate')}</h2>
      <p class="muted">
        {w(
          '在本机浏览器中离线核验：只信任下面填写的指纹对应的公钥，不信任证明文件自带的密钥。',
          'Checked here in the browser, offline: only the key with the fingerprint below is trusted, never a key the file carries.',
        )}
      </p>
      <Form onSubmit={() => setResult(verifyInBrowser(text, fp))}>
        <Field label={w('证明文件（.json）', 'Certificate file (.json)')}>
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
        <Field label={w('签名密钥指纹', 'Signing key fingerprint')}>
          <input name="fingerprint" value={fp} onInput={(e) => setFp(e.currentTarget.value)} class="mono" size={80} />
        </Field>
        <button type="submit" class="primary" disabled={!text}>
          {w('核验', 'Verify')}
        </button>
      </Form>
      {result &&
        (result.ok ? (
          <div class="notice ok" data-testid="verify-result">
            ✓ {w('有效', 'Valid')}: {result.certificate.compound?.name ?? w('全部小区', 'the whole district')} · {dateTime(result.certificate.issuedAt)} ·{' '}
            {result.certificate.issuedBy.name} · <Counts counts={result.certificate.deleted} />
          </div>
        ) : (
          <div class="notice warn" role="alert" data-testid="verify-result">
            ✕ {w('无效', 'Not valid')}: {WHY[result.why]?.[lang === 'zh' ? 0 : 1]}
          </div>
        ))}
    </section>
  );
}

/** 数据管理 (admin): the key fingerprint, backups and the button, scheduled jobs, end of lockdown, certificates. */
export function DataPage() {
  const w = useWords();
  const { lang, dateTime } = useI18n();
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
  if (me?.role !== 'admin') return <p class="muted">{w('仅管理员可用。', 'Administrators only.')}</p>;
  if (page.error) return <ErrorBox error={page.error} />;
  if (!page.data) return <Loading />;
  const d = page.data;
  const target = compounds.data?.compounds.find((c) => String(c.id) === end.compoundId);
  const expected = end.compoundId === 'all' ? d.districtConfirmation : target?.name;
  return (
    <section class="data-page">
      <h1>{w('数据管理', 'Data')}</h1>
      <section class="panel">
        <h2>{w('签名密钥指纹', 'Signing key fingerprint')}</h2>
        <p>
          <code class="mono" data-testid="key-fingerprint">
            {d.key.shown}
          </code>
        </p>
        <p class="muted small">
          {w(
            '通行码、消杀码和数据销毁证明都由此密钥签名。请把指纹抄在纸上保存：核验证明时以它为准（npm run verify-certificate -- 文件 --key 指纹）。',
            'Passes, placards and deletion certificates are signed with this key. Keep the fingerprint on paper: a certificate is checked against it (npm run verify-certificate -- FILE --key FINGERPRINT).',
          )}
        </p>
      </section>

      <section class="panel">
        <h2>{w('备份', 'Backups')}</h2>
        {d.database === 'sqlite' ? (
          <>
            <p class="muted">
              {d.backup.scheduled
                ? w(`每 ${d.backup.everyHours} 小时自动备份到 ${d.backup.dir}，保留最近 ${d.backup.keep} 份。`, `Backed up every ${d.backup.everyHours} h into ${d.backup.dir}, the newest ${d.backup.keep} kept.`)
                : w(`未设置定时备份（BACKUP_DIR）。“立即备份”写入 ${d.backup.dir}。`, `No scheduled backups (BACKUP_DIR is unset). "Back up now" writes into ${d.backup.dir}.`)}
            </p>
            <p>
              <button type="button" class="primary" onClick={() => backup.run()} disabled={backup.busy} data-testid="backup-now">
                {backup.busy ? w('正在备份…', 'Backing up…') : w('立即备份', 'Back up now')}
              </button>
            </p>
            <ErrorBox error={backup.error} />
            <table data-testid="backups">
              <thead>
                <tr>
                  <th>{w('文件', 'File')}</th>
                  <th>{w('时间', 'When')}</th>
                  <th class="n">{w('大小', 'Size')}</th>
                  <th>{w('方式', 'How')}</th>
                </tr>
              </thead>
              <tbody>
                {d.backups.length === 0 && (
                  <tr>
                    <td colSpan={4} class="muted">
                      {w('还没有备份', 'No backups yet')}
                    </td>
                  </tr>
                )}
                {d.backups.map((b) => (
                  <tr key={b.id}>
                    <td>
                      <code>{b.name}</code> {!b.present && <Badge tone="warn">{w('文件已不在', 'file gone')}</Badge>}
                    </td>
                    <td>{dateTime(b.finishedAt)}</td>
                    <td class="n">{(b.size / 1024 / 1024).toFixed(1)} MB</td>
                    <td>{{ schedule: w('定时', 'scheduled'), button: w('手动', 'button'), command: w('命令行', 'command') }[b.kind]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p class="muted">{w('PostgreSQL：请用 pg_dump / pg_restore 备份与恢复（见说明文档）。', 'PostgreSQL: back up and restore with pg_dump / pg_restore (see the README).')}</p>
        )}
      </section>

      <section class="panel">
        <h2>{w('定时任务', 'Scheduled jobs')}</h2>
        <table>
          <tbody>
            {d.jobs.length === 0 && (
              <tr>
                <td class="muted">{w('服务器运行定时任务后在此列出（自动结束班次、数据清理、备份）', 'Listed once the server has run its jobs (idle shifts, retention, backups)')}</td>
              </tr>
            )}
            {d.jobs.map((j) => (
              <tr key={j.name}>
                <td>
                  <code>{j.name}</code>
                </td>
                <td>{j.lastRunAt ? dateTime(j.lastRunAt) : '—'}</td>
                <td>{j.running && <Badge tone="ok">{w('运行中', 'running')}</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section class="panel danger" data-testid="end-lockdown">
        <h2>{w('结束防疫管控期', 'End the epidemic-control period')}</h2>
        <p>
          {w(
            '删除该小区的居民姓名和手机号、住户房号、通行码、核酸结果、通行记录（含访客）和消杀照片，以及本系统管理的备份，并吊销该小区的平板；只保留不含个人信息的每日统计和审计记录。此操作无法撤销，完成后签发数据销毁证明。',
            'Deletes the residents’ names and phones, households’ rooms, passes, test results, gate checks (visitors too), photos, and the backups this server manages, and revokes the compound’s tablets; only anonymous daily figures and the audit trail stay. It cannot be undone; a deletion certificate is issued.',
          )}
        </p>
        <Form onSubmit={endLockdown.run} class="form inline">
          <Field label={w('范围', 'Scope')}>
            <select name="compoundId" value={end.compoundId} onChange={(e) => setEnd({ compoundId: e.currentTarget.value, confirm: '' })}>
              <option value="">{w('选择小区…', 'Choose…')}</option>
              {compounds.data?.compounds.map((c: Compound) => (
                <option key={c.id} value={String(c.id)}>
                  {c.name}
                </option>
              ))}
              <option value="all">{w('全部小区', 'The whole district')}</option>
            </select>
          </Field>
          <Field label={expected ? w(`请输入“${expected}”确认`, `Type "${expected}" to confirm`) : w('确认', 'Confirm')}>
            <input name="confirm" value={end.confirm} onInput={(e) => setEnd({ ...end, confirm: e.currentTarget.value })} autocomplete="off" />
          </Field>
          <button type="submit" class="danger" disabled={!expected || end.confirm.trim() !== expected || endLockdown.busy}>
            {endLockdown.busy ? w('正在删除…', 'Deleting…') : w('删除个人数据并签发证明', 'Delete the personal data and issue the certificate')}
          </button>
        </Form>
        <ErrorBox error={endLockdown.error} />
      </section>

      <section class="panel">
        <h2>{w('数据销毁证明', 'Deletion certificates')}</h2>
        {d.certificates.length === 0 ? (
          <p class="muted">{w('还没有签发', 'None issued yet')}</p>
        ) : (
          <table data-testid="certificates">
            <tbody>
              {d.certificates.map((c) => (
                <tr key={c.id}>
                  <td>{c.compound?.name ?? w('全部小区', 'the whole district')}</td>
                  <td>{dateTime(c.issuedAt)}</td>
                  <td>
                    <Counts counts={c.deleted} />
                  </td>
                  <td>
                    <a href={`/api/lifecycle/certificates/${c.id}/print?lang=${lang}`} target="_blank" rel="noreferrer">
                      {w('打印', 'Print')}
                    </a>{' '}
                    · <a href={`/api/lifecycle/certificates/${c.id}`}>{w('下载 JSON', 'Download JSON')}</a>
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
  const w = useWords();
  const { lang, dateTime } = useI18n();
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
  const rows: [keyof typeof s.defaults, string, string][] = [
    ['gateDays', '通行记录与访客', 'Gate checks and visitors'],
    ['photoDays', '消杀照片', 'Disinfection photos'],
    ['testDays', '核酸结果', 'Test results'],
    ['recordDays', '消杀记录（不含照片）与班次日志', 'Disinfection records (without photos) and shift logs'],
  ];
  return (
    <div class="retention" data-testid="retention">
      <p class="muted">
        {w(
          '超过保留期限的数据每天凌晨自动删除（按整天计算）；删除前保留每日和每个班次的统计，看板、区域总览、日报和导出照常显示。',
          'Data past its retention is deleted every night (whole days); the daily and per-shift figures are kept first, so the dashboard, overview, daily report and exports still show those days.',
        )}
      </p>
      <Form onSubmit={save.run}>
        <table>
          <thead>
            <tr>
              <th>{w('数据', 'Data')}</th>
              <th class="n">{w('保留天数', 'Days kept')}</th>
              <th>{w('来源', 'Set by')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([k, zh, en]) => (
              <tr key={k}>
                <td>{w(zh, en)}</td>
                <td class="n">
                  {edit ? (
                    <input name={k} type="number" min={1} max={3650} placeholder={String(s.defaults[k])} value={edit[k]} onInput={(e) => setEdit({ ...edit, [k]: e.currentTarget.value })} size={5} />
                  ) : (
                    s[k]
                  )}
                </td>
                <td>{s.own[k] ? <Badge tone="ok">{w('本小区设置', 'this compound')}</Badge> : <span class="muted">{w(`默认（${s.defaults[k]} 天）`, `default (${s.defaults[k]} days)`)}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {manage &&
          (edit ? (
            // Keys: the edit button must not become the submit button under the same click (Preact would reuse it).
            <p class="row-actions" key="save">
              <button type="submit" class="primary" disabled={save.busy}>
                {w('保存', 'Save')}
              </button>
              <button type="button" onClick={() => setEdit(null)}>
                {w('取消', 'Cancel')}
              </button>
              <span class="muted small">{w('留空即恢复默认', 'Leave empty for the default')}</span>
            </p>
          ) : (
            <p key="edit">
              <button type="button" onClick={() => setEdit(Object.fromEntries(rows.map(([k]) => [k, s.own[k] ? String(s[k]) : ''])))}>
                {w('修改保留期限', 'Change retention')}
              </button>
            </p>
          ))}
        <ErrorBox error={save.error} />
      </Form>
      <section class="panel" data-testid="last-purge">
        <h2>{w('最近一次清理', 'Last purge')}</h2>
        {s.lastPurge && s.lastPurgeAt ? (
          <>
            <p>
              {dateTime(s.lastPurgeAt, tz)} · <Counts counts={s.lastPurge.counts} />
            </p>
            <p class="muted small">
              {Object.entries(s.lastPurge.ranges)
                .map(([k, v]) => `${KIND_WORDS[k]?.[lang === 'zh' ? 0 : 1] ?? k}: ${dateTime(v!.from, tz)} — ${dateTime(v!.to, tz)}`)
                .join(' · ')}
            </p>
          </>
        ) : (
          <p class="muted">{w('还没有清理过', 'No purge yet')}</p>
        )}
      </section>
      <p class="muted small">
        <Link href="/audit">{w('每次清理都记入审计日志', 'Each purge is in the audit log')}</Link>
      </p>
    </div>
  );
}
