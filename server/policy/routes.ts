import { Hono } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/queries.js';
import { PolicyRulesSchema } from '../core/policy.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, json, param } from '../http/validate.js';
import { currentPolicy, insertPolicyVersion, policyVersions } from './queries.js';

const cidParam = z.object({ cid: id });

/** The compound's pass rules: read the current version and its history; editing makes a new version. */
export function policyRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['policy'];

  app.get('/', describe('The current policy and every earlier version', { tags }), param(cidParam), async (c) => {
    const { cid } = c.req.valid('param');
    const current = await currentPolicy(db, cid, deps.now());
    return c.json({ current, versions: await policyVersions(db, cid) });
  });

  app.put('/', describe('Change the policy: stores a new version', { tags }), param(cidParam), json(z.object({ rules: PolicyRulesSchema, note: z.string().trim().max(200).optional() })), async (c) => {
    const { cid } = c.req.valid('param');
    const { rules, note } = c.req.valid('json');
    await currentPolicy(db, cid, deps.now()); // version 1 exists before version 2
    const actor = c.get('actor');
    const at = deps.now().toISOString();
    const version = await db.transaction().execute(async (tx) => {
      const v = await insertPolicyVersion(tx, cid, rules, at, actor?.kind === 'office' ? actor.user.id : null, note ?? null);
      await recordAudit(tx, { actor, action: 'policy.update', entity: 'policy', entityId: v, compoundId: cid, details: { rules, note }, at, ip: c.get('ip') });
      return v;
    });
    return c.json({ current: { version, rules, note: note ?? null, createdAt: at } });
  });

  return app;
}
