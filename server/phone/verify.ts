import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { fromBase64Url } from '../core/code.js';

const keys = new Map<string, KeyObject>();

/** Check an Ed25519 signature made by a phone (its raw public key, base64url) over `message`. */
export function verifyPhoneSignature(publicKey: string, message: string, signature: string): boolean {
  let key = keys.get(publicKey);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    if (keys.size > 50_000) keys.clear();
    keys.set(publicKey, key);
  }
  const sig = fromBase64Url(signature);
  try {
    return sig.length === 64 && verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}
