import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/context.js';
import { describe, id, json, param, text } from '../http/validate.js';
import { listDevices } from './queries.js';
import * as devices from './service.js';

const cidParam = z.object({ cid: id });
const itemParam = z.object({ cid: id, id });

/** Tablets of a compound: a manager makes a one-time enrollment code, the tablet trades it for a credential. */
export function deviceRoutes(deps: AppDeps) {
  const db = deps.database.db;
  const tags = ['devices'];

  return new Hono<AppEnv>()
    .get('/', describe("The compound's tablets", { tags }), param(cidParam), async (c) =>
      c.json({ devices: await listDevices(db, c.req.valid('param').cid, deps.now().toISOString()) }),
    )
    .post('/', describe('Register a tablet and get its one-time enrollment code (valid 24 h)', { tags }), param(cidParam), json(z.object({ name: text(60) })), async (c) => {
      const { cid } = c.req.valid('param');
      return c.json(await devices.registerDevice(deps, c.get('actor'), cid, c.req.valid('json').name, c.get('ip')), 201);
    })
    .post('/:id/code', describe('A fresh enrollment code for a tablet not yet enrolled', { tags }), param(itemParam), async (c) => {
      const { cid, id: deviceId } = c.req.valid('param');
      return c.json(await devices.renewEnrollmentCode(deps, c.get('actor'), cid, deviceId, c.get('ip')));
    })
    .post('/:id/revoke', describe('Revoke a tablet (lost, stolen, retired): its credential and sessions stop working', { tags }), param(itemParam), async (c) => {
      const { cid, id: deviceId } = c.req.valid('param');
      return c.json({ device: await devices.revokeDevice(deps, c.get('actor'), cid, deviceId, c.get('ip')) });
    });
}
