import type { Hono } from 'hono';
import { z } from 'zod';
import { DOC, type RouteDoc } from './validate.js';

/**
 * The OpenAPI 3.1 document, read off the app's own routes: every route with a `describe(...)` or a
 * validator appears, with the JSON Schema of what it validates.
 */
export function buildOpenApi(app: Hono<any>, info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, any>> = {};
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const doc = (route.handler as any)[DOC] as RouteDoc | undefined;
    if (!doc) continue;
    const path = route.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    const method = route.method.toLowerCase();
    paths[path] ??= {};
    const ops = paths[path];
    ops[method] ??= { responses: { default: { description: 'On failure: { "error": { "code", "message", "params", "details"? } }: code and params are from the message catalogue (server/core/messages.ts)' } } };
    const op = ops[method];
    if (doc.kind === 'describe') {
      op.summary = doc.summary;
      if (doc.tags) op.tags = doc.tags;
      if (doc.description) op.description = doc.description;
      if (doc.auth) op['x-auth'] = doc.auth;
      continue;
    }
    const schema = z.toJSONSchema(doc.schema, { io: 'input', unrepresentable: 'any' }) as any;
    if (doc.target === 'json') {
      op.requestBody = { required: true, content: { 'application/json': { schema } } };
    } else if (doc.target === 'form') {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema } } };
    } else {
      const inWhere = doc.target === 'param' ? 'path' : 'query';
      const required: string[] = schema.required ?? [];
      op.parameters = [
        ...(op.parameters ?? []),
        ...Object.entries<any>(schema.properties ?? {}).map(([name, s]) => ({
          name,
          in: inWhere,
          required: inWhere === 'path' || required.includes(name),
          schema: s,
        })),
      ];
    }
  }
  // Path parameters a route names but does not validate still need declaring.
  for (const [path, ops] of Object.entries(paths)) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const op of Object.values(ops)) {
      for (const name of names) {
        op.parameters ??= [];
        if (!op.parameters.some((p: any) => p.name === name && p.in === 'path')) {
          op.parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
        }
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatepost API',
      version: info.version,
      description:
        'Gate checks and disinfection rounds for residential compounds. Office users sign in with a cookie ' +
        'session (POST /api/auth/login); tablets send `Authorization: Bearer gpd_…` (device) or `gps_…` (volunteer).',
    },
    paths,
  };
}

/** Interactive docs: Swagger UI served from our own node_modules (gates often have no internet). */
export function docsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatepost API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body></html>`;
}

export const docsInitScript = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', deepLinking: true });`;
