import { Hono } from 'hono';
import { z } from 'zod';
import { lifecycleConfig } from '../config.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param, query } from '../http/validate.js';
import type { Actor } from '../auth/actor.js';
import { officeUser } from '../auth/access.js';
import { certificateText, showFingerprint } from '../core/certificate.js';
import { listLeases } from '../jobs/lease.js';
import { backupDirOf, backupNow, listBackups } from './backup.js';
import { installationFingerprint, verifyWithNode } from './certificate.js';
import { certificateHtml } from './certificate-page.js';
import { DISTRICT_CONFIRMATION, endLockdown, getCertificate, listCertificates } from './lockdown.js';
import { retentionOf, updateRetention } from './retention.js';

const cidParam = z.object({ cid: id });
const days = z.number().int().min(1).max(3650).nullable().optional();

/** A compound's retention settings (a manager of the compound edits them) and its last purge. */
export function retentionRoutes(deps: AppDeps) {
  const tags = ['lifecycle'];
  return new Hono<AppEnv>()
    .get('/', describe("The compound's retention (days per kind, its own or the default) and its last purge", { tags }), param(cidParam), async (c) =>
      c.json({ retention: await retentionOf(deps.database.db, c.req.valid('param').cid, lifecycleConfig(deps.config).retention) }),
    )
    .patch(
      '/',
      describe("Change the compound's retention (null: back to the default); audited", { tags }),
      param(cidParam),
      json(z.strictObject({ gateDays: days, photoDays: days, testDays: days, recordDays: days })),
      async (c) => {
        const patch = Object.fromEntries(Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined));
        return c.json({ retention: await updateRetention(deps, { actor: c.get('actor'), ip: c.get('ip') }, c.req.valid('param').cid, patch) });
      },
    );
}

/** The admin page: backups, scheduled jobs, the installation's key fingerprint, end of lockdown, certificates. */
export function lifecycleRoutes(deps: AppDeps) {
  const tags = ['lifecycle'];
  const db = deps.database.db;
  const asker = (c: { get(k: 'actor'): Actor | null; get(k: 'ip'): string }) => ({ actor: c.get('actor'), ip: c.get('ip') });
  return new Hono<AppEnv>()
    .get('/', describe('Backups, scheduled jobs, the signing key fingerprint and the deletion certificates (admin)', { tags }), async (c) => {
      officeUser(c, ['admin']);
      const cfg = lifecycleConfig(deps.config);
      const key = await installationFingerprint(deps.keys);
      return c.json({
        database: deps.database.kind,
        backup: { dir: deps.database.kind === 'sqlite' ? backupDirOf(deps) : null, scheduled: !!cfg.backup.dir, everyHours: cfg.backup.everyHours, keep: cfg.backup.keep },
        backups: deps.database.kind === 'sqlite' ? await listBackups(db) : [],
        jobs: (await listLeases(db)).map((l) => ({ name: l.name, lastRunAt: l.lastRunAt, running: !!l.holder && l.expiresAt > deps.now().toISOString() })),
        key: { ...key, shown: showFingerprint(key.fingerprint) },
        retentionDefaults: cfg.retention,
        purgeHour: cfg.purgeHour,
        certificates: await listCertificates(db),
        districtConfirmation: DISTRICT_CONFIRMATION,
      });
    })
    .post('/backups', describe('Back the SQLite database up now (audited)', { tags }), async (c) => {
      officeUser(c, ['admin']);
      const made = await backupNow(deps, { kind: 'button', ...asker(c) });
      return c.json({ backup: { file: made.file, size: made.size } }, 201);
    })
    .post(
      '/end-lockdown',
      describe("End a compound's (or the whole district's) epidemic-control period: delete its personal data and issue a signed certificate (admin)", { tags }),
      json(z.strictObject({ compoundId: id.nullable(), confirm: z.string().max(200) })),
      async (c) => {
        officeUser(c, ['admin']);
        return c.json(await endLockdown(deps, asker(c), c.req.valid('json')), 201);
      },
    )
    .get('/certificates/:certId', describe('A deletion certificate, as its signed JSON file', { tags }), param(z.object({ certId: z.string().max(40) })), async (c) => {
      officeUser(c, ['admin', 'supervisor']);
      const cert = await getCertificate(db, c.req.valid('param').certId);
      return c.body(certificateText(cert), 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="deletion-certificate-${cert.certificate.id}.json"`,
      });
    })
    .get('/certificates/:certId/print', describe('A deletion certificate as a printable A4 page (数据销毁证明)', { tags }), param(z.object({ certId: z.string().max(40) })), query(z.object({ lang: z.enum(['zh', 'en']).default('zh') })), async (c) => {
      officeUser(c, ['admin', 'supervisor']);
      return c.html(certificateHtml(await getCertificate(db, c.req.valid('param').certId), c.req.valid('query').lang));
    })
    .post(
      '/certificates/verify',
      describe("Check a certificate file against a fingerprint (default: this installation's); nothing is trusted from the file itself", { tags }),
      json(z.strictObject({ text: z.string().max(100_000), fingerprint: z.string().max(200).optional() })),
      async (c) => {
        officeUser(c);
        const body = c.req.valid('json');
        const fingerprint = body.fingerprint ?? (await installationFingerprint(deps.keys)).fingerprint;
        return c.json({ fingerprint, result: verifyWithNode(body.text, fingerprint) });
      },
    );
}
