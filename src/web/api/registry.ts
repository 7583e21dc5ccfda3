import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../services/principal.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Express-style path, e.g. /api/v1/people/:id */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Whether a bearer token is needed (every /api/v1 route). */
  secured?: boolean;
  request?: { params?: P; query?: Q; body?: B };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; req: Request; res: Response }) => Promise<unknown>;
}

/**
 * One place where each API route is declared with its zod schemas. The same declaration
 * validates requests at run time and produces the OpenAPI 3.1 document, so they cannot drift.
 */
export class ApiRegistry {
  readonly routes: Array<ApiRoute<z.ZodType, z.ZodType, z.ZodType>> = [];
  readonly #components = new Map<string, z.ZodType>();

  /** Names a schema so the OpenAPI document refers to it under components/schemas. */
  component<S extends z.ZodType>(name: string, schema: S): S {
    this.#components.set(name, schema);
    return schema;
  }

  add<P extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, B extends z.ZodType = z.ZodUnknown>(
    route: ApiRoute<P, Q, B>,
  ): void {
    this.routes.push(route as unknown as ApiRoute<z.ZodType, z.ZodType, z.ZodType>);
  }

  mount(router: Router): void {
    for (const route of this.routes) {
      const handler: RequestHandler = async (req, res) => {
        const parse = (schema: z.ZodType | undefined, value: unknown, where: string) => {
          if (!schema) return value;
          const r = schema.safeParse(value ?? {});
          if (r.success) return r.data;
          const fields: Record<string, string> = {};
          for (const issue of r.error.issues) fields[[where, ...issue.path.map(String)].join('.')] ??= issue.message;
          throw new ValidationError(fields);
        };
        const params = parse(route.request?.params, req.params, 'path');
        const query = parse(route.request?.query, req.query, 'query');
        const body = parse(route.request?.body, req.body, 'body');
        const result = await route.handler({ params, query, body, req, res });
        if (!res.headersSent) {
          const status = Number(Object.keys(route.responses).find((s) => Number(s) < 300) ?? 200);
          res.status(status).json(result);
        }
      };
      router[route.method](route.path, handler);
    }
  }

  openApiDocument(info: { version: string; serverUrl?: string | undefined }): Record<string, unknown> {
    // Responses are described as the server writes them (output); request bodies as callers send them (input).
    const outputs = z.registry<{ id: string }>();
    const inputs = z.registry<{ id: string }>();
    for (const [name, schema] of this.#components) outputs.add(schema, { id: name });
    const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
    const idOf = (schema: z.ZodType, fallback: string, reg: typeof outputs) => {
      const existing = outputs.get(schema)?.id ?? reg.get(schema)?.id;
      if (existing) return existing;
      reg.add(schema, { id: fallback });
      return fallback;
    };
    const errorRef = { content: { 'application/json': { schema: ref('Error') } } };
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const openPath = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.request?.params],
        ['query', r.request?.query],
      ] as const) {
        if (!schema) continue;
        const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as {
          properties?: Record<string, Record<string, unknown>>;
          required?: string[];
        };
        for (const [name, prop] of Object.entries(js.properties ?? {})) {
          const { description, ...propSchema } = prop;
          parameters.push({
            name,
            in: where,
            required: where === 'path' || (js.required ?? []).includes(name),
            schema: propSchema,
            ...(typeof description === 'string' ? { description } : {}),
          });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, resp] of Object.entries(r.responses)) {
        responses[status] = {
          description: resp.description,
          ...(resp.schema
            ? { content: { 'application/json': { schema: ref(idOf(resp.schema, `${capitalise(r.operationId)}Response${status}`, outputs)) } } }
            : {}),
        };
      }
      if (r.secured) responses['401'] ??= { description: 'No valid bearer token', ...errorRef };
      if (r.request?.params || r.request?.query || r.request?.body) {
        responses['400'] ??= { description: 'The request is not valid: the error names each field at fault', ...errorRef };
      }
      (paths[openPath] ??= {})[r.method] = {
        operationId: r.operationId,
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: r.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(r.request?.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: ref(idOf(r.request.body, `${capitalise(r.operationId)}Request`, inputs)) } },
              },
            }
          : {}),
        responses,
        security: r.secured ? [{ bearerAuth: [] }] : [],
      };
    }
    const uri = (id: string) => `#/components/schemas/${id}`;
    const convert = (reg: typeof outputs, io: 'input' | 'output') =>
      (z.toJSONSchema(reg, { target: 'draft-2020-12', io, unrepresentable: 'any', uri }) as { schemas: Record<string, Record<string, unknown>> })
        .schemas;
    const schemas: Record<string, unknown> = {};
    for (const [id, js] of [...Object.entries(convert(outputs, 'output')), ...Object.entries(convert(inputs, 'input'))]) {
      const { $schema: _s, $id: _$id, id: _id, ...rest } = js;
      schemas[id] = rest;
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Team Around API',
        version: info.version,
        description:
          'For agency systems. Every call is made as a practitioner (the owner of the bearer token), passes the same access policy as the web pages and is recorded in the audit log. ' +
          'Consent records are also served, with the same tokens, as HL7 FHIR R4 Consent resources under /api/fhir (read, search by patient, create; capabilities at /api/fhir/metadata).',
      },
      jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      paths,
      components: {
        schemas,
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from `npx teamaround api-token create --user <email>`',
          },
        },
      },
    };
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Names the fields of a service's validation error as the API does (body.x, query.y); `form` stays as it is. */
export async function within<T>(where: 'body' | 'query', fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k === 'form' ? k : `${where}.${k}`, v])));
    }
    throw err;
  }
}
