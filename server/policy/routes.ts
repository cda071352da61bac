import { Hono } from 'hono';
import { z } from 'zod';
import { PolicyRulesSchema } from '../core/policy.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param } from '../http/validate.js';
import { currentPolicy, policyVersions } from './queries.js';
import { changePolicy } from './service.js';

const cidParam = z.object({ cid: id });

/** The compound's pass rules: read the current version and its history; editing makes a new version. */
export function policyRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['policy'];

  return new Hono<AppEnv>()
    .get('/', describe('The current policy and every earlier version', { tags }), param(cidParam), async (c) => {
      const { cid } = c.req.valid('param');
      const current = await currentPolicy(db, cid, deps.now());
      return c.json({ current, versions: await policyVersions(db, cid) });
    })
    .put('/', describe('Change the policy: stores a new version', { tags }), param(cidParam), json(z.object({ rules: PolicyRulesSchema, note: z.string().trim().max(200).optional() })), async (c) => {
      const { cid } = c.req.valid('param');
      return c.json({ current: await changePolicy(deps, c.get('actor'), cid, c.req.valid('json'), c.get('ip')) });
    });
}
