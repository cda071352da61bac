import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { showFingerprint } from '../core/certificate.js';
import { verifyWithNode } from '../lifecycle/certificate.js';

// `npm run verify-certificate -- FILE --key FINGERPRINT`: check a deletion certificate offline against the
// installation's key, pinned by the fingerprint shown on the admin page and printed at set-up.
const { values, positionals } = parseArgs({ allowPositionals: true, options: { key: { type: 'string' } } });
const file = positionals[0];
if (!file || !values.key) {
  console.error('Usage: npm run verify-certificate -- FILE --key FINGERPRINT');
  process.exit(2);
}
const WHY = {
  not_json: 'the file is not JSON',
  not_a_certificate: 'the file is not a Gatepost deletion certificate',
  altered_form: 'the file was changed after it was issued',
  bad_fingerprint: 'the fingerprint is not 64 hex digits',
  other_key: 'it was not signed by the key with this fingerprint',
  bad_signature: 'the signature does not match its content: it was changed after it was signed',
} as const;
const r = verifyWithNode(fs.readFileSync(file, 'utf8'), values.key);
if (r.ok) {
  const c = r.certificate;
  console.log(`VALID: deletion certificate ${c.id}, signed by the key ${showFingerprint(c.fingerprint)}`);
  console.log(`  ${c.compound ? c.compound.name : 'the whole district'}, issued ${c.issuedAt} by ${c.issuedBy.name}`);
  console.log(`  deleted: ${Object.entries(c.deleted).map(([k, n]) => `${k} ${n}`).join(', ')}`);
} else {
  console.error(`NOT VALID: ${WHY[r.why]}`);
  process.exitCode = 1;
}
