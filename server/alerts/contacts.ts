import { compareNatural } from '../core/natural.js';
import type { Db } from '../db/database.js';
import { notVoided } from '../gate/queries.js';

export const CONTACT_DEFAULTS = { minutes: 10, days: 7 } as const;
export const CONTACT_LIMITS = { minutes: 120, days: 31 } as const;

export interface CasePassage {
  checkId: string;
  gateId: number;
  gate: string;
  direction: 'in' | 'out';
  at: string;
}

/** One of a contact's passages, and the case's passage that makes it one. */
export interface ContactPassage extends CasePassage {
  caseCheckId: string;
  /** Minutes between the two, signed: negative when the contact passed before the case. */
  gapMinutes: number;
}

export interface Contact {
  /** A resident, or null for a visitor (known by the name and phone they gave). */
  residentId: number | null;
  name: string;
  phone: string | null;
  passages: ContactPassage[];
}

export interface ContactHousehold {
  /** null: visitors, who belong to no household of ours (their host is shown). */
  householdId: number | null;
  building: string | null;
  unit: string | null;
  room: string | null;
  members: Contact[];
}

export interface GateContacts {
  resident: { id: number; name: string; phone: string | null; householdId: number; building: string; unit: string; room: string };
  from: string;
  to: string;
  minutes: number;
  days: number;
  passages: CasePassage[];
  households: ContactHousehold[];
  /** People listed (residents and visitors). */
  people: number;
}

/**
 * Gate contacts (时空伴随 at the gate): everyone who passed the same gate within ±`minutes` of any of the
 * case's passages in [to − days, to], with the passages that make them a contact, grouped by household.
 * Passages are checks that let the person through and were not voided; the case's own household members
 * are contacts like anyone (they are listed under their household).
 */
export async function gateContacts(db: Db, compoundId: number, residentId: number, o: { minutes: number; days: number; to: number }): Promise<GateContacts | null> {
  const resident = await db
    .selectFrom('resident as r')
    .innerJoin('household as h', 'h.id', 'r.householdId')
    .innerJoin('building as b', 'b.id', 'h.buildingId')
    .select(['r.id', 'r.name', 'r.phone', 'r.householdId', 'b.name as building', 'h.unit', 'h.room'])
    .where('r.compoundId', '=', compoundId)
    .where('r.id', '=', residentId)
    .executeTakeFirst();
  if (!resident) return null;
  const from = o.to - o.days * 86_400_000;
  const span = o.minutes * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const mine = await db
    .selectFrom('gateCheck as g')
    .innerJoin('gate', 'gate.id', 'g.gateId')
    .select(['g.id', 'g.gateId', 'gate.name as gate', 'g.direction', 'g.occurredAt'])
    .where('g.compoundId', '=', compoundId)
    .where('g.residentId', '=', residentId)
    .where('g.passed', '=', 1)
    .where('g.occurredAt', '>=', iso(from))
    .where('g.occurredAt', '<=', iso(o.to))
    .where(notVoided)
    .orderBy('g.occurredAt')
    .execute();
  const passages: CasePassage[] = mine.map((m) => ({ checkId: m.id, gateId: m.gateId, gate: m.gate, direction: m.direction, at: m.occurredAt }));

  const contacts = new Map<string, Contact & { householdId: number | null; building: string | null; unit: string | null; room: string | null }>();
  for (const p of passages) {
    const t = Date.parse(p.at);
    const near = await db
      .selectFrom('gateCheck as g')
      .leftJoin('resident as r', 'r.id', 'g.residentId')
      .select(['g.id', 'g.direction', 'g.occurredAt', 'g.residentId', 'g.householdId', 'g.subject', 'g.visitor', 'g.personName', 'g.buildingName', 'g.unit', 'g.room', 'r.name as currentName', 'r.phone'])
      .where('g.compoundId', '=', compoundId)
      .where('g.gateId', '=', p.gateId)
      .where('g.passed', '=', 1)
      .where('g.occurredAt', '>=', iso(t - span))
      .where('g.occurredAt', '<=', iso(t + span))
      .where((eb) => eb.or([eb('g.residentId', 'is', null), eb('g.residentId', '!=', residentId)]))
      .where(notVoided)
      .orderBy('g.occurredAt')
      .execute();
    for (const n of near) {
      const visitor = n.subject === 'visitor' && n.visitor ? (JSON.parse(n.visitor) as { name: string; phone: string }) : null;
      // A passage by nobody we can name (an unknown pass let through by hand) is still a contact: by its check.
      const key = n.residentId ? `r${n.residentId}` : visitor ? `v${visitor.name}|${visitor.phone}` : `c${n.id}`;
      let c = contacts.get(key);
      if (!c) {
        c = {
          residentId: n.residentId,
          name: n.currentName ?? n.personName ?? visitor?.name ?? '?',
          phone: n.phone ?? visitor?.phone ?? null,
          passages: [],
          householdId: n.residentId ? n.householdId : null,
          building: n.residentId ? n.buildingName : null,
          unit: n.residentId ? n.unit : null,
          room: n.residentId ? n.room : null,
        };
        contacts.set(key, c);
      }
      if (!c.passages.some((x) => x.checkId === n.id && x.caseCheckId === p.checkId)) {
        c.passages.push({ checkId: n.id, gateId: p.gateId, gate: p.gate, direction: n.direction, at: n.occurredAt, caseCheckId: p.checkId, gapMinutes: Math.round((Date.parse(n.occurredAt) - t) / 6_000) / 10 });
      }
    }
  }

  const groups = new Map<string, ContactHousehold>();
  for (const c of contacts.values()) {
    const key = c.householdId === null ? 'visitors' : `h${c.householdId}`;
    let g = groups.get(key);
    if (!g) {
      g = { householdId: c.householdId, building: c.building, unit: c.unit, room: c.room, members: [] };
      groups.set(key, g);
    }
    g.members.push({ residentId: c.residentId, name: c.name, phone: c.phone, passages: c.passages.sort((a, b) => a.at.localeCompare(b.at)) });
  }
  const households = [...groups.values()].sort((a, b) => {
    if (a.householdId === null) return 1;
    if (b.householdId === null) return -1;
    return compareNatural(a.building ?? '', b.building ?? '') || compareNatural(a.unit ?? '', b.unit ?? '') || compareNatural(a.room ?? '', b.room ?? '');
  });
  for (const g of households) g.members.sort((a, b) => compareNatural(a.name, b.name));
  return {
    resident: { id: resident.id, name: resident.name, phone: resident.phone, householdId: resident.householdId, building: resident.building, unit: resident.unit, room: resident.room },
    from: iso(from),
    to: iso(o.to),
    minutes: o.minutes,
    days: o.days,
    passages,
    households,
    people: contacts.size,
  };
}
