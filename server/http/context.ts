import type { Actor } from '../auth/actor.js';

/** What a request carries through the middleware: who is calling, and from which address. */
export type AppEnv = {
  Variables: {
    actor: Actor | null;
    ip: string;
  };
};
