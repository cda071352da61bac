import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { fromBase64Url, type ParsedCode, toBase64Url, withSignature } from '../core/code.js';
import type { Db } from '../db/database.js';

/**
 * The server's Ed25519 signing keys, kept in the database (so every server instance signs alike). A key id
 * travels in each code; tablets receive the public keys with their roster and check codes offline.
 */
export interface SigningKeys {
  /**
   * Sign `message` (see core/code.ts) with the current key; returns the full code text. The first call
   * may read or create the key: make it (or `currentKid()`) before opening a transaction.
   */
  sign(message: string): Promise<string>;
  /** The key id new codes carry. */
  currentKid(): Promise<string>;
  /** A detached Ed25519 signature of `data` with the current key (deletion certificates), with its key. */
  signDetached(data: Uint8Array): Promise<{ kid: string; signature: Uint8Array; publicKey: Uint8Array }>;
  /** Public keys a tablet needs: every key not retired. */
  publicKeys(): Promise<{ kid: string; publicKey: string }[]>;
  /** Check a parsed code's signature (with the keys as last loaded: call publicKeys() to refresh). */
  verify(code: ParsedCode): Promise<'valid' | 'invalid' | 'unknown_key'>;
}

export function signingKeys(db: Db, now: () => Date): SigningKeys {
  let current: Promise<{ kid: string; key: KeyObject }> | undefined;
  // The same passes are scanned day after day: remember each code's verdict (a signature check costs ~0.1 ms).
  const verdicts = new Map<string, 'valid' | 'invalid'>();

  async function readCurrent() {
    const row = await db
      .selectFrom('signingKey')
      .select(['kid', 'privateKey'])
      .where('retiredAt', 'is', null)
      .orderBy('createdAt', 'desc')
      .executeTakeFirst();
    return row && { kid: row.kid, key: createPrivateKey({ key: Buffer.from(row.privateKey, 'base64'), format: 'der', type: 'pkcs8' }) };
  }

  async function ensureCurrent() {
    const existing = await readCurrent();
    if (existing) return existing;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const count = await db.selectFrom('signingKey').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await db
      .insertInto('signingKey')
      .values({
        kid: `k${(Number(count.n) + 1).toString(36)}`,
        publicKey: publicKey.export({ format: 'jwk' }).x!,
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        createdAt: now().toISOString(),
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
    // Another server instance may have won the race: use whatever is stored.
    const stored = await readCurrent();
    if (!stored) throw new Error('no signing key could be stored');
    return stored;
  }

  const getCurrent = () => {
    current ??= ensureCurrent().catch((err) => {
      current = undefined;
      throw err;
    });
    return current;
  };

  /** Every key not retired, as key objects; refreshed when asked for the public keys. */
  let publics: Map<string, KeyObject> | undefined;
  async function loadPublics() {
    await getCurrent();
    const rows = await db.selectFrom('signingKey').select(['kid', 'publicKey']).where('retiredAt', 'is', null).orderBy('kid').execute();
    publics = new Map(rows.map((r) => [r.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: r.publicKey }, format: 'jwk' })]));
    return rows;
  }

  return {
    async sign(message) {
      const { key } = await getCurrent();
      return withSignature(message, toBase64Url(sign(null, Buffer.from(message, 'utf8'), key)));
    },
    async currentKid() {
      return (await getCurrent()).kid;
    },
    async signDetached(data) {
      const { kid, key } = await getCurrent();
      const jwk = createPublicKey(key).export({ format: 'jwk' });
      return { kid, signature: new Uint8Array(sign(null, data, key)), publicKey: fromBase64Url(jwk.x!) };
    },
    publicKeys: loadPublics,
    async verify(code) {
      const text = withSignature(code.message, code.signature);
      const known = verdicts.get(text);
      if (known) return known;
      // Keys are read once (or when publicKeys() refreshes them), never per check: a check may be
      // verified inside another transaction.
      if (!publics) await loadPublics();
      const key = publics!.get(code.kid);
      if (!key) return 'unknown_key';
      const sig = fromBase64Url(code.signature);
      const verdict = sig.length === 64 && verify(null, Buffer.from(code.message, 'utf8'), key, sig) ? 'valid' : 'invalid';
      if (verdicts.size > 200_000) verdicts.clear();
      verdicts.set(text, verdict);
      return verdict;
    },
  };
}
