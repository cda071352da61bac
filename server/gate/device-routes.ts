import { Hono } from 'hono';
import { z } from 'zod';
import { deviceOf, volunteerOf } from '../auth/access.js';
import { parseCode } from '../core/code.js';
import { decide } from '../core/decide.js';
import { maskName } from '../core/mask.js';
import { SyncBatchSchema, type GateCheckRecord } from '../core/sync.js';
import { uuidv7, UUID_V7 } from '../core/uuid.js';
import { AppError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { describe, id, json, query } from '../http/validate.js';
import { currentPolicy } from '../policy/queries.js';
import { buildRoster } from '../roster/service.js';
import { analyzerOf } from './analysis.js';
import { loadBatchFacts } from './facts.js';
import { ingestBatch } from './ingest.js';

/** What enrolled tablets call: the roster, the sync of their outbox, and a live one-at-a-time check. */
export function deviceGateRoutes(deps: AppDeps, onAccepted: (r: Awaited<ReturnType<typeof ingestBatch>>['accepted']) => void) {
  const analyzer = analyzerOf(deps);
  const app = new Hono<AppEnv>();
  const db = deps.database.db;
  const tags = ['tablets'];

  app.get('/me', describe('The enrolled tablet: who it is and its compound', { tags, auth: 'device' }), async (c) => {
    const device = deviceOf(c);
    const compound = await db.selectFrom('compound').select(['id', 'name', 'timezone']).where('id', '=', device.compoundId).executeTakeFirstOrThrow();
    return c.json({ device, compound });
  });

  app.get(
    '/roster',
    describe("The compound's roster for deciding offline: a full snapshot, or the changes after version `since`", { tags, auth: 'device' }),
    query(z.object({ since: z.coerce.number().int().min(0).optional() })),
    async (c) => {
      const device = deviceOf(c);
      const roster = await buildRoster(deps, device.compoundId, c.req.valid('query').since ?? null);
      await db.updateTable('device').set({ rosterFetchedAt: deps.now().toISOString() }).where('id', '=', device.id).execute();
      return c.json(roster);
    },
  );

  app.post(
    '/sync',
    describe('Upload records made on the tablet. Idempotent on record id; the answer lists each record as accepted, duplicate or rejected', { tags, auth: 'device' }),
    json(SyncBatchSchema),
    async (c) => {
      const device = deviceOf(c);
      const result = await ingestBatch(deps, device, c.req.valid('json'));
      analyzer.schedule();
      onAccepted(result.accepted);
      return c.json({ results: result.results, rosterVersion: result.rosterVersion });
    },
  );

  app.post(
    '/checks',
    describe('Online check: the server decides on its live data and records the check (one at a time)', { tags, auth: 'volunteer' }),
    json(
      z
        .object({
          id: z.string().regex(UUID_V7).optional(),
          gateId: id,
          shiftId: z.string().regex(UUID_V7).nullish(),
          direction: z.enum(['in', 'out']),
          code: z.string().max(300).optional(),
          residentId: id.optional(),
          override: z.object({ reason: z.string().trim().min(1).max(200) }).optional(),
        })
        .refine((b) => !!b.code !== !!b.residentId, 'give either the scanned code or the resident, not both'),
    ),
    async (c) => {
      const { user, device } = volunteerOf(c);
      const body = c.req.valid('json');
      const now = deps.now();
      const compound = await db.selectFrom('compound').select(['timezone', 'rosterVersion']).where('id', '=', device.compoundId).executeTakeFirstOrThrow();
      const policy = await currentPolicy(db, device.compoundId, now);
      const parsed = body.code ? parseCode(body.code) : null;
      const passId = parsed?.kind === 'pass' && parsed.compoundId === device.compoundId ? parsed.passId : null;
      const facts = await loadBatchFacts(db, device.compoundId, { passIds: passId ? [passId] : [], residentIds: body.residentId ? [body.residentId] : [], from: now.getTime(), to: now.getTime() });
      const recordId = body.id ?? uuidv7(now.getTime());
      const decision = decide({
        now: now.getTime(),
        direction: body.direction,
        compoundId: device.compoundId,
        timezone: compound.timezone,
        policy: policy.rules,
        rosterAgeMs: null,
        subject: body.code ? { kind: 'code', code: parsed, signature: parsed ? await deps.keys.verify(parsed) : 'invalid' } : { kind: 'manual', residentId: body.residentId! },
        facts: facts.factsAt(now.getTime(), { passId, residentId: body.residentId ?? null }, recordId),
      });
      if (body.override && decision.verdict === 'allow') {
        throw new AppError(400, 'nothing_to_override', 'This check is allowed: there is nothing to override.');
      }
      if (body.override && !decision.canOverride) {
        throw new AppError(403, 'override_not_allowed', 'The policy does not let volunteers override this denial. Send the person to the property office.');
      }
      const passed = decision.verdict === 'allow' || !!body.override;
      const record: GateCheckRecord = {
        kind: 'gate_check',
        id: recordId,
        at: now.toISOString(),
        gateId: body.gateId,
        shiftId: body.shiftId ?? null,
        volunteerId: user.id,
        direction: body.direction,
        subject: body.code ? 'code' : 'manual',
        code: body.code ?? null,
        residentId: body.residentId ?? null,
        visitor: null,
        verdict: decision.verdict,
        reasons: decision.reasons,
        testStatus: decision.test,
        override: decision.verdict === 'allow' ? null : (body.override ?? null),
        passed,
        policyVersion: policy.version,
        rosterVersion: compound.rosterVersion,
      };
      const result = await ingestBatch(deps, device, { sentAt: now.toISOString(), records: [record] });
      const outcome = result.results[0]!;
      if (outcome.status === 'rejected') throw new AppError(422, outcome.reason.code, outcome.reason.message);
      analyzer.schedule();
      onAccepted(result.accepted);
      const resident = decision.residentId ? facts.residents.get(decision.residentId) : undefined;
      const person = resident
        ? await db
            .selectFrom('resident as r')
            .innerJoin('household as h', 'h.id', 'r.householdId')
            .innerJoin('building as b', 'b.id', 'h.buildingId')
            .select(['r.name', 'b.name as building', 'h.unit', 'h.room'])
            .where('r.id', '=', resident.id)
            .executeTakeFirst()
        : undefined;
      return c.json({
        id: recordId,
        status: outcome.status,
        decision: { ...decision, passed },
        person: person ? { name: maskName(person.name), building: person.building, unit: person.unit, room: person.room } : null,
      });
    },
  );

  return app;
}
