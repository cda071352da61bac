// One Gatepost server instance as a process of its own, for tests that run several behind a load balancer
// and kill one (SIGKILL must be real): server/main.ts itself, configured by the environment as in production
// (DATABASE_URL, PORT, HOST, TRUST_PROXY …), without the web app, on the test's clock: GATEPOST_TEST_NOW is
// the instant the clock starts at, and it flows from there. Run with tsx.
import { main } from '../../server/main.js';

const start = Date.parse(process.env.GATEPOST_TEST_NOW ?? '');
if (Number.isNaN(start)) {
  console.error('GATEPOST_TEST_NOW must be an ISO instant');
  process.exit(2);
}
const t0 = performance.now();
main({ now: () => new Date(start + (performance.now() - t0)), webApp: false }).catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
