import * as ed from '@noble/ed25519';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { fromBase64Url, type ParsedCode, toBase64Url } from '../../../server/core/code';
import type { PhoneCode } from '../../../server/core/phone-code';

// Pure-JS hashing: a tablet reached over plain http on the compound's LAN has no crypto.subtle.
ed.hashes.sha512 = sha512;

type Signature = 'valid' | 'invalid' | 'unknown_key';
const verdicts = new Map<string, Signature>();
const subtleKeys = new Map<string, Promise<CryptoKey | null>>();

/** The browser's own Ed25519 (fast, native) where it has it: recent Chrome and Safari, in a secure context. */
function subtleKey(publicKey: string): Promise<CryptoKey | null> {
  let k = subtleKeys.get(publicKey);
  if (!k) {
    k = (async () => {
      try {
        if (!globalThis.crypto?.subtle) return null;
        return await crypto.subtle.importKey('raw', fromBase64Url(publicKey) as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
      } catch {
        return null; // no native Ed25519 here: the JS one below does it
      }
    })();
    subtleKeys.set(publicKey, k);
  }
  return k;
}

/** Check a code's Ed25519 signature offline against the roster's public keys (results remembered). */
export async function verifyCode(code: ParsedCode, keys: { kid: string; publicKey: string }[]): Promise<Signature> {
  const cacheKey = `${code.message}.${code.signature}`;
  const known = verdicts.get(cacheKey);
  if (known) return known;
  const key = keys.find((k) => k.kid === code.kid);
  const verdict: Signature = key ? await verifySignature(key.publicKey, code.message, code.signature) : 'unknown_key';
  if (verdicts.size > 50_000) verdicts.clear();
  verdicts.set(cacheKey, verdict);
  return verdict;
}

async function verifySignature(publicKey: string, message: string, signature: string): Promise<'valid' | 'invalid'> {
  const sig = fromBase64Url(signature) as Uint8Array<ArrayBuffer>;
  const msg = new TextEncoder().encode(message);
  try {
    const native = await subtleKey(publicKey);
    const ok = native ? await crypto.subtle.verify({ name: 'Ed25519' }, native, sig, msg) : ed.verify(sig, msg, fromBase64Url(publicKey));
    return ok ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

/**
 * Check a phone's rotating code against the public key of the phone bound to its pass (from the roster;
 * undefined: none known here). Not remembered by text: a code text lives one step, and the key it must
 * match can change with the next roster.
 */
export async function verifyPhoneCode(code: PhoneCode, publicKey: string | undefined): Promise<Signature> {
  if (!publicKey) return 'unknown_key';
  return verifySignature(publicKey, code.message, code.signature);
}

/** Get the first check ready before the first person arrives (key import, the JS fallback's tables). */
export async function warmUpVerification(keys: { kid: string; publicKey: string }[]): Promise<void> {
  for (const k of keys) {
    if (await subtleKey(k.publicKey)) continue;
    try {
      ed.verify(new Uint8Array(64), new Uint8Array(1), fromBase64Url(k.publicKey));
    } catch {
      // only the precomputation matters
    }
  }
}

/**
 * A volunteer's PIN, kept on this tablet only as a slow salted hash, so they can sign in again while the
 * network is down. (The server's own check of the PIN is scrypt; this one never leaves the tablet.)
 */
export interface PinVerifier {
  salt: string;
  hash: string;
}

const ITERATIONS = 20_000;

export async function makePinVerifier(pin: string): Promise<PinVerifier> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2Async(sha256, pin, salt, { c: ITERATIONS, dkLen: 32 });
  return { salt: toBase64Url(salt), hash: toBase64Url(hash) };
}

export async function checkPin(pin: string, v: PinVerifier): Promise<boolean> {
  const hash = await pbkdf2Async(sha256, pin, fromBase64Url(v.salt), { c: ITERATIONS, dkLen: 32 });
  return toBase64Url(hash) === v.hash;
}
