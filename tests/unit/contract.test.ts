import { hc, type InferRequestType, type InferResponseType } from 'hono/client';
import { describe, expectTypeOf, it } from 'vitest';
import type { AppType } from '../../server/app.js';

// Type-level checks: the web app's client is typed from the server's routes (`npx tsc -p .` runs them).
const client = hc<AppType>('/');

describe('the typed contract with the web app', () => {
  it('types a route by its path, its inputs and its success response', () => {
    type Residents = InferResponseType<(typeof client.api.compounds)[':cid']['residents']['$get']>;
    expectTypeOf<Residents['total']>().toEqualTypeOf<number>();
    expectTypeOf<Residents['residents'][number]['name']>().toEqualTypeOf<string>();
    type Login = InferRequestType<typeof client.api.auth.login.$post>;
    expectTypeOf<Login['json']>().toEqualTypeOf<{ username: string; password: string }>();
    type Items = InferResponseType<(typeof client.api.compounds)[':cid']['gates']['$get']>;
    expectTypeOf<Items['items'][number]['name']>().toEqualTypeOf<string>();
  });
});
