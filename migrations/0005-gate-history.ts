import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A gate check is a record of what was seen: the person's identity as it stood when the check was
  // recorded (name, and the address of their household, or of a visitor's host), so renaming or moving a
  // resident later does not rewrite history. resident_id stays the live link for look-ups.
  await db.schema.alterTable('gate_check').addColumn('person_name', 'text').execute();
  await db.schema.alterTable('gate_check').addColumn('building_name', 'text').execute();
  await db.schema.alterTable('gate_check').addColumn('unit', 'text').execute();
  await db.schema.alterTable('gate_check').addColumn('room', 'text').execute();
  // The body temperature taken at the gate, in °C; or 1 in temperature_normal when the volunteer read a
  // normal temperature and tapped "normal" rather than typing it. Both null when none was taken.
  await db.schema.alterTable('gate_check').addColumn('temperature_c', 'real').execute();
  await db.schema.alterTable('gate_check').addColumn('temperature_normal', 'integer').execute();
  // Rows recorded before the snapshot existed get the identity as it is now: the best there is.
  await sql`update gate_check set person_name = (select r.name from resident r where r.id = gate_check.resident_id) where resident_id is not null`.execute(db);
  await sql`update gate_check set
      building_name = (select b.name from household h join building b on b.id = h.building_id where h.id = gate_check.household_id),
      unit = (select h.unit from household h where h.id = gate_check.household_id),
      room = (select h.room from household h where h.id = gate_check.household_id)
    where household_id is not null`.execute(db);

  // A shift the sweep closed after a long silence (its tablet switched off): when it did so. The shift's
  // ended_at is then its last activity, not this time.
  await db.schema.alterTable('shift').addColumn('auto_closed_at', 'text').execute();
  // The sweep looks only at open shifts: few, whatever the number of shifts ever worked; for each, its
  // tablet's next shift and its own rounds.
  await db.schema.createIndex('shift_open').on('shift').columns(['started_at']).where(sql.ref('ended_at'), 'is', null).execute();
  await db.schema.createIndex('shift_device_started').on('shift').columns(['device_id', 'started_at']).execute();
  await db.schema.createIndex('disinfection_record_shift').on('disinfection_record').column('shift_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('disinfection_record_shift').execute();
  await db.schema.dropIndex('shift_device_started').execute();
  await db.schema.dropIndex('shift_open').execute();
  await db.schema.alterTable('shift').dropColumn('auto_closed_at').execute();
  for (const c of ['temperature_normal', 'temperature_c', 'room', 'unit', 'building_name', 'person_name']) await db.schema.alterTable('gate_check').dropColumn(c).execute();
}
