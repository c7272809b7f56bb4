import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../../errors.ts';
import { parseDuration } from '../../schedule/duration.ts';
import { badRequest, issuesDetail, ResourceApi, type ApiResult, type ResourceKind } from '../../security/resources.ts';
import { roleSchema, userInputSchema, type RoleDoc, type UserInput } from '../../security/roles.ts';
import { userView, type Security, type VigilPrincipal } from '../../security/service.ts';
import type { RouteAccess } from '../auth.ts';

const BASE = '/_vigil/security';
const manage = { config: { access: { permission: 'security:manage' } satisfies RouteAccess } };
const signedIn = { config: { access: { authenticated: true } satisfies RouteAccess } };

function usersKind(s: Security): ResourceKind<UserInput> {
  return {
    label: 'user',
    names: () => s.users.list().map((u) => u.name),
    flags: (n) => s.users.get(n),
    view: (n) => ({ ...userView(s.users.get(n)!) }),
    parse(body) {
      const r = userInputSchema.safeParse(body);
      if (!r.success) return { ok: false, detail: issuesDetail(r.error.issues) };
      const missing = r.data.roles.filter((x) => !s.role(x));
      if (missing.length) return { ok: false, detail: { roles: missing.map((x) => ({ error: `no such role: ${x}` })) } };
      return { ok: true, value: r.data };
    },
    async write(name, input, existed) {
      if (!existed && input.password === undefined) throw new VigilError('INVALID_REQUEST', 'a new user needs a password', { password: [{ error: 'required' }] });
      await s.putUser(name, input);
    },
    remove: (n) => void s.deleteUser(n),
  };
}

function rolesKind(s: Security): ResourceKind<RoleDoc> {
  return {
    label: 'role',
    names: () => s.roles().map(([n]) => n),
    flags: (n) => {
      const r = s.role(n);
      return r && { reserved: r.reserved ?? false, hidden: r.hidden ?? false };
    },
    view: (n) => {
      const r = s.role(n)!;
      return { ...r, reserved: r.reserved ?? false, hidden: r.hidden ?? false };
    },
    parse(body) {
      const r = roleSchema.safeParse(body);
      return r.success ? { ok: true, value: r.data } : { ok: false, detail: issuesDetail(r.error.issues) };
    },
    write: async (name, doc) => s.putRole(name, doc),
    remove: (n) => void s.deleteRole(n),
  };
}

const send = (reply: FastifyReply, r: ApiResult) => reply.status(r.code).send(r.body);

const auditQuery = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    user: z.string().max(256).optional(),
    size: z.coerce.number().int().min(0).max(10_000).optional(),
  })
  .strict();

/** Epoch ms or an ISO date; undefined for an absent value, NaN for a bad one. */
function timeParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

const passwordChange = z.object({ current_password: z.string().max(1024), password: z.string().min(8, 'at least 8 characters').max(1024) }).strict();
const tokenRequest = z.object({ name: z.string().max(128).optional(), expires_in: z.string().max(64).optional() }).strict();

function principal(req: FastifyRequest): VigilPrincipal {
  return req.principal as VigilPrincipal;
}

/**
 * Security endpoints (SPEC §4), shaped like the OpenSearch Security REST API: internal users and roles
 * (GET, PUT, DELETE, PATCH, bulk PATCH), own account and password, own API tokens, and the audit log.
 */
export function securityRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    for (const [path, api] of [['internalusers', new ResourceApi(usersKind(s))], ['roles', new ResourceApi(rolesKind(s))]] as const) {
      type P = { Params: { name: string } };
      f.get(`${BASE}/${path}`, manage, async (_req, reply) => send(reply, api.list()));
      f.patch(`${BASE}/${path}`, manage, async (req, reply) => send(reply, await api.bulkPatch(req.body)));
      f.get<P>(`${BASE}/${path}/:name`, manage, async (req, reply) => send(reply, api.get(req.params.name)));
      f.put<P>(`${BASE}/${path}/:name`, manage, async (req, reply) => send(reply, await api.put(req.params.name, req.body)));
      f.delete<P>(`${BASE}/${path}/:name`, manage, async (req, reply) => send(reply, api.delete(req.params.name)));
      f.patch<P>(`${BASE}/${path}/:name`, manage, async (req, reply) => send(reply, await api.patch(req.params.name, req.body)));
    }

    f.get(`${BASE}/audit`, manage, async (req, reply) => {
      const q = auditQuery.safeParse(req.query ?? {});
      if (!q.success) return send(reply, badRequest('Invalid audit query.', issuesDetail(q.error.issues)));
      const from = timeParam(q.data.from);
      const to = timeParam(q.data.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return send(reply, badRequest('from and to must be epoch milliseconds or ISO dates.'));
      return s.auditLog.query({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(q.data.user !== undefined ? { user: q.data.user } : {}), ...(q.data.size !== undefined ? { size: q.data.size } : {}) });
    });

    f.get(`${BASE}/account`, signedIn, async (req) => {
      const p = principal(req);
      const u = s.users.get(p.name);
      if (!u) throw new VigilError('UNAUTHORIZED', 'the signed-in user no longer exists');
      const roles = u.roles.flatMap((r) => {
        const doc = s.role(r);
        return doc ? [[r, doc] as const] : [];
      });
      return {
        user_name: u.name,
        is_reserved: u.reserved,
        is_hidden: u.hidden,
        is_internal_user: true,
        authenticated_by: p.via,
        roles: u.roles,
        attributes: u.attributes,
        permissions: [...new Set(roles.flatMap(([, d]) => d.permissions))].sort(),
        tenants: [...new Set(roles.flatMap(([, d]) => d.tenants))].sort(),
      };
    });

    f.put(`${BASE}/account`, signedIn, async (req, reply) => {
      const p = principal(req);
      const b = passwordChange.safeParse(req.body);
      if (!b.success) return send(reply, badRequest('Invalid request: {current_password, password} expected.', issuesDetail(b.error.issues)));
      const u = s.users.get(p.name);
      if (!u) throw new VigilError('UNAUTHORIZED', 'the signed-in user no longer exists');
      if (u.reserved) return reply.status(403).send({ status: 'FORBIDDEN', message: `Resource '${u.name}' is read-only.`, code: 'MISSING_PRIVILEGES' });
      if (!(await s.checkOwnPassword(u.name, b.data.current_password, req.ip))) {
        return reply.status(403).send({ status: 'FORBIDDEN', message: 'Could not validate your current password.', code: 'MISSING_PRIVILEGES' });
      }
      await s.setPassword(u.name, b.data.password);
      return { status: 'OK', message: `'${u.name}' updated.` };
    });

    f.get(`${BASE}/tokens`, signedIn, async (req) => ({ tokens: s.tokens.list(principal(req).name) }));

    f.post(`${BASE}/tokens`, signedIn, async (req, reply) => {
      const b = tokenRequest.safeParse(req.body ?? {});
      if (!b.success) return send(reply, badRequest('Invalid token request.', issuesDetail(b.error.issues)));
      let expiresAt: number | null = null;
      if (b.data.expires_in !== undefined) {
        try {
          expiresAt = s.clockNow() + parseDuration(b.data.expires_in);
        } catch {
          return send(reply, badRequest('expires_in must be a duration such as 30d or 12h.', { expires_in: [{ error: 'invalid duration' }] }));
        }
      }
      const { token, info } = s.tokens.create(principal(req).name, s.clockNow(), { name: b.data.name, expiresAt });
      // The only time the token exists in clear: it is not logged, stored or shown again.
      return reply.status(201).send({ status: 'CREATED', message: 'Token created; it is shown only once.', token, ...info });
    });

    f.delete<{ Params: { id: string } }>(`${BASE}/tokens/:id`, signedIn, async (req, reply) => {
      const p = principal(req);
      if (!/^[0-9a-f]{16}$/.test(req.params.id)) return send(reply, badRequest('Invalid token id.'));
      const t = s.tokens.get(req.params.id);
      const mayAny = s.authorize(p, 'security:manage', { method: req.method, route: req.routeOptions.url ?? '' });
      if (!t || (t.user !== p.name && !mayAny)) return reply.status(404).send({ status: 'NOT_FOUND', message: `'${req.params.id.slice(0, 64)}' not found.`, code: 'NOT_FOUND' });
      s.tokens.delete(t.id);
      return { status: 'OK', message: `'${t.id}' deleted.` };
    });
  };
}
