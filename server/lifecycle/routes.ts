import { Hono } from 'hono';
import { z } from 'zod';
import { lifecycleConfig } from '../config.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param } from '../http/validate.js';
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
