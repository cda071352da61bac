import { type ClientRequestOptions, type ClientResponse, hc, type InferResponseType } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
// A type-only import: the routes' types come along, none of the server's code is bundled.
import type { AppType } from '../../server/app';

/**
 * A failure the server answered with: its one error shape, `{ error: { code, message, params, details? } }`.
 * Show it with errorText (messages.ts), which says code and params in the UI's language.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { path: string; code?: string; params?: unknown; message: string }[],
    readonly params?: unknown,
  ) {
    super(message);
  }
}

/**
 * The server's API, typed from its routes: a path reads as its URL (`client.api.compounds[':cid'].residents`)
 * and each method (`$get`, `$post`, …) takes that route's validated inputs. Send a request through `call`.
 * Office pages use their HttpOnly cookie (same origin); tablets pass `requestOptions({ token })`.
 */
export const client = hc<AppType>('/', {
  headers: () => ({ accept: 'application/json', 'accept-language': document.documentElement.lang }),
  init: { credentials: 'same-origin' },
});

/** A route's success JSON, for a component that needs a name for it: `Data<typeof client.api.users.$get>`. */
export type Data<F> = InferResponseType<F, SuccessStatusCode>;

/** What a successful answer to a request carries. */
type Success<R> = R extends ClientResponse<infer T, infer S, infer F> ? (S extends SuccessStatusCode ? (F extends 'json' ? T : never) : never) : never;

/** Options for a request: the tablet's bearer token (device or volunteer session), and a way to give up on it. */
export function requestOptions({ token, signal }: { token?: string | undefined; signal?: AbortSignal | undefined }): ClientRequestOptions {
  return {
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(signal ? { init: { signal } } : {}),
  };
}

/** Send a request made with `client` and return its typed JSON; any answer but a 2xx throws an ApiError. */
export async function call<R extends ClientResponse<unknown, number, string>>(request: Promise<R>): Promise<Success<R>> {
  const res = await request;
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a proxy's error page, for instance
  }
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? (res.statusText || 'Request failed'), e?.details, e?.params);
  }
  return data as Success<R>;
}
