import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  // An activation link for a pass: single use, expiring. Only the sha256 of its token is kept (a leaked
  // database hands out no live links); the token itself is on the printed card and the office page.
  await db.schema
    .createTable('phone_activation')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('pass_id', 'integer', (c) => c.notNull().references('pass.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('phone_activation_pass').on('phone_activation').column('pass_id').execute();

  // The phone a pass is bound to: its Ed25519 public key (32 bytes, base64url). One binding per pass is
  // current (unbound_at null); re-activation or a manager's unbinding ends it. Rows are kept: the server
  // re-judges a synced check with the key that was bound at the check's moment. rv: the roster version
  // that carries the change to the tablets.
  await db.schema
    .createTable('phone_binding')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('compound_id', 'integer', (c) => c.notNull().references('compound.id'))
    .addColumn('pass_id', 'integer', (c) => c.notNull().references('pass.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('activation_id', 'integer', (c) => c.notNull().references('phone_activation.id'))
    .addColumn('bound_at', 'text', (c) => c.notNull())
    .addColumn('unbound_at', 'text')
    .addColumn('unbound_by', 'integer')
    .addColumn('unbound_reason', 'text')
    /** The phone time of the latest signed request it made (a request is not accepted twice). */
    .addColumn('last_request_at', 'text')
    .addColumn('rv', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('phone_binding_pass').on('phone_binding').columns(['pass_id', 'bound_at']).execute();
  await db.schema.createIndex('phone_binding_rv').on('phone_binding').columns(['compound_id', 'rv']).execute();

  // Residents without a phone: where the policy accepts printed cards only for them.
  await db.schema.alterTable('resident').addColumn('no_phone', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resident').dropColumn('no_phone').execute();
  await db.schema.dropTable('phone_binding').execute();
  await db.schema.dropTable('phone_activation').execute();
}
