import { type DBSchema, openDB } from 'idb';
import { toBase64Url } from '../../../server/core/code';
import type { ResidentView } from '../../../server/core/resident-view';

/**
 * The phone's own key and what it last knew, in IndexedDB. The key is made here and never leaves: with Web
 * Crypto's Ed25519 (recent Chrome and Safari) the private key is a non-extractable CryptoKey that even
 * this page's script cannot read out; where the browser has no Ed25519, @noble/ed25519 (the library the
 * tablet already uses) makes and keeps a 32-byte secret.
 */
export type PhoneKey = { kind: 'subtle'; privateKey: CryptoKey; publicKey: string } | { kind: 'noble'; secret: Uint8Array; publicKey: string };

export interface Activated {
  passId: number;
  compoundId: number;
  compound: string;
  maskedName: string;
  stepSeconds: number;
  key: PhoneKey;
  activatedAt: number;
}

interface PhoneDb extends DBSchema {
  kv: { key: string; value: unknown };
}

const db = () =>
  openDB<PhoneDb>('gatepost-phone', 1, {
    upgrade(d) {
      d.createObjectStore('kv');
    },
  });

export async function loadActivated(): Promise<Activated | null> {
  return ((await (await db()).get('kv', 'pass')) as Activated | undefined) ?? null;
}
export async function saveActivated(a: Activated): Promise<void> {
  await (await db()).put('kv', a, 'pass');
}
export async function forgetActivated(): Promise<void> {
  const d = await db();
  await d.delete('kv', 'pass');
  await d.delete('kv', 'view');
}
/** The resident page as last received, with when it was received (shown with its age when offline). */
export async function loadView(): Promise<{ view: ResidentView; receivedAt: number } | null> {
  return ((await (await db()).get('kv', 'view')) as { view: ResidentView; receivedAt: number } | undefined) ?? null;
}
export async function saveView(v: { view: ResidentView; receivedAt: number }): Promise<void> {
  await (await db()).put('kv', v, 'view');
}

let noble: Promise<typeof import('@noble/ed25519')> | undefined;
/** The JS Ed25519, loaded only where the browser has none of its own (it is most of this page's weight). */
function nobleEd() {
  noble ??= Promise.all([import('@noble/ed25519'), import('@noble/hashes/sha2.js')]).then(([ed, h]) => {
    ed.hashes.sha512 = h.sha512;
    return ed;
  });
  return noble;
}

/** A new key pair for this phone. */
export async function makeKey(): Promise<PhoneKey> {
  try {
    if (globalThis.crypto?.subtle) {
      const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      return { kind: 'subtle', privateKey: pair.privateKey, publicKey: toBase64Url(raw) };
    }
  } catch {
    // no Ed25519 in this browser's Web Crypto: the JS one below
  }
  const ed = await nobleEd();
  const secret = ed.utils.randomSecretKey();
  return { kind: 'noble', secret, publicKey: toBase64Url(ed.getPublicKey(secret)) };
}

/** Sign `message` with the phone's key; base64url. */
export async function signText(key: PhoneKey, message: string): Promise<string> {
  const bytes = new TextEncoder().encode(message);
  if (key.kind === 'subtle') return toBase64Url(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, bytes)));
  const ed = await nobleEd();
  return toBase64Url(ed.sign(bytes, key.secret));
}
