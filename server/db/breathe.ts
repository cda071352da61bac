/**
 * Let the event loop run. better-sqlite3 is synchronous: a long read made of many queries (an export, the
 * district overview) that never waited for anything else would hold the whole server, tablets' syncs
 * included, until it ended. Awaiting a query alone does not help: its promise is already settled.
 */
export const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
