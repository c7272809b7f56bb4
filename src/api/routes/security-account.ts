/**
 * The caller's own account (`/_plugins/_security/api/account`, also `/_vigil/security/account`): its
 * details and a password change with the current password; and the caller's own API tokens
 * (`/_vigil/security/tokens`).
 */
import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VigilError } from '../../errors.ts';
import { parseDuration } from '../../schedule/duration.ts';
import { Namespaces } from '../../security/namespaces.ts';
import { tenantAccess } from '../../security/role-eval.ts';
import { badRequest } from '../../security/resources.ts';
import { zodDetail } from '../../error-detail.ts';
import type { Security, VigilPrincipal } from '../../security/service.ts';
import type { RouteAccess } from '../auth.ts';
import { PLUGIN_API, send, VIGIL_BASE } from './security-resources.ts';
import { component } from '../route-schema.ts';
import { securityErrorResponse, securityStatus } from '../responses.ts';

const signedIn = { config: { access: { authenticated: true } satisfies RouteAccess } };
const passwordChange = component('PasswordChange', z.object({ current_password: z.string().max(1024), password: z.string().min(8, 'at least 8 characters').max(1024) }).strict());
const tokenRequest = component(
  'TokenRequest',
  z.object({ name: z.string().max(128).optional().describe('A label for the token'), expires_in: z.string().max(64).optional().describe('Lifetime, a duration such as 90d or 12h (default: none)') }).strict(),
);
const accountView = z.looseObject({ user_name: z.string(), roles: z.array(z.string()), backend_roles: z.array(z.string()), tenants: z.record(z.string(), z.boolean()), permissions: z.array(z.string()) });
const tokenInfo = z.looseObject({ id: z.string(), name: z.string().nullable().optional() });
const tokenIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/).describe('The token id (not the token)') });
const forbidden = (message: string) => ({ status: 'FORBIDDEN', message, code: 'MISSING_PRIVILEGES' });

const principal = (req: FastifyRequest) => req.principal as VigilPrincipal;

export function ownAccountRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    const spaces = new Namespaces(s.options.watchesDir);
    for (const base of [PLUGIN_API, VIGIL_BASE]) {
      f.get(`${base}/account`, { ...signedIn, schema: { summary: 'Who the caller is: user name, roles, backend roles, tenants and permissions', response: { 200: accountView } } }, async (req) => {
        const p = principal(req);
        const u = s.users.get(p.name);
        if (p.via !== 'jwt' && !u) throw new VigilError('UNAUTHORIZED', 'the signed-in user no longer exists');
        const roles = s.compiledRoles(p.roles);
        const tenants = [...new Set([...s.directory.docs('tenants').map(([n]) => n), ...(await spaces.list())])].sort();
        return {
          user_name: p.name,
          is_reserved: Boolean(u?.reserved || u?.hidden),
          is_hidden: Boolean(u?.hidden),
          is_internal_user: p.via !== 'jwt',
          user_requested_tenant: null,
          backend_roles: p.backendRoles,
          custom_attribute_names: Object.keys(u?.attributes ?? {}),
          tenants: tenantAccess(roles, tenants),
          roles: p.roles,
          authenticated_by: p.via,
          permissions: [...new Set(roles.flatMap((r) => [...r.cluster, ...r.tenants.flatMap((t) => t.actions)]))].sort(),
        };
      });

      f.put(`${base}/account`, {
        ...signedIn,
        schema: {
          summary: 'Change the caller\'s own password (internal users; needs the current one)',
          body: passwordChange,
          response: { 200: securityStatus, 403: securityErrorResponse },
          examples: [{ name: 'change', summary: 'A new password', body: { current_password: 'the current password', password: 'a new long password' } }],
        },
      }, async (req, reply) => {
        const p = principal(req);
        const b = passwordChange.safeParse(req.body);
        if (!b.success) return send(reply, badRequest('Invalid request: {current_password, password} expected.', zodDetail(b.error.issues, { style: 'dotted' })));
        const u = s.users.get(p.name);
        if (p.via === 'jwt' || !u) return reply.status(403).send(forbidden('Only internal users have a password here.'));
        if (u.reserved || u.hidden) return reply.status(403).send(forbidden(`Resource '${u.name}' is read-only.`));
        if (!(await s.users.checkOwnPassword(u.name, b.data.current_password, req.ip))) return reply.status(403).send(forbidden('Could not validate your current password.'));
        await s.users.setPassword(u.name, b.data.password);
        return { status: 'OK', message: `'${u.name}' updated.` };
      });
    }

    f.get(`${VIGIL_BASE}/tokens`, { ...signedIn, schema: { summary: 'The caller\'s API tokens (their ids and labels, never the tokens)', response: { 200: z.object({ tokens: z.array(tokenInfo) }) } } }, async (req) => ({
      tokens: await s.tokens.list(principal(req).name),
    }));

    f.post(`${VIGIL_BASE}/tokens`, {
      ...signedIn,
      schema: {
        summary: 'Create an API token for the caller; the answer is the only time it is shown',
        body: tokenRequest.optional(),
        response: {
          201: z.looseObject({ status: z.literal('CREATED'), message: z.string(), token: z.string().describe('vgl_…: send it as Authorization: Bearer <token>'), id: z.string() }),
          403: securityErrorResponse,
        },
        examples: [{ name: 'ci', summary: 'A token for a CI job, valid 90 days', body: { name: 'ci', expires_in: '90d' } }],
      },
    }, async (req, reply) => {
      const p = principal(req);
      if (p.via === 'jwt') return reply.status(403).send(forbidden('API tokens belong to internal users.'));
      const b = tokenRequest.safeParse(req.body ?? {});
      if (!b.success) return send(reply, badRequest('Invalid token request.', zodDetail(b.error.issues, { style: 'dotted' })));
      let expiresAt: number | null = null;
      if (b.data.expires_in !== undefined) {
        try {
          expiresAt = s.clockNow() + parseDuration(b.data.expires_in);
        } catch {
          return send(reply, badRequest('expires_in must be a duration such as 30d or 12h.', { expires_in: [{ error: 'invalid duration' }] }));
        }
      }
      const { token, info } = await s.tokens.create(p.name, s.clockNow(), { name: b.data.name, expiresAt });
      // The only time the token exists in clear: it is not logged, stored or shown again.
      return reply.status(201).send({ status: 'CREATED', message: 'Token created; it is shown only once.', token, ...info });
    });

    f.delete<{ Params: { id: string } }>(`${VIGIL_BASE}/tokens/:id`, {
      ...signedIn,
      schema: {
        summary: 'Revoke an API token (one\'s own; any with security:manage)',
        params: tokenIdParam,
        response: { 200: securityStatus },
        examples: [{ name: 'unknown', summary: 'A token id (404 when there is none)', params: { id: '0123456789abcdef' } }],
      },
    }, async (req, reply) => {
      const p = principal(req);
      if (!/^[0-9a-f]{16}$/.test(req.params.id)) return send(reply, badRequest('Invalid token id.'));
      const t = await s.tokens.get(req.params.id);
      const mayAny = s.authorize(p, 'security:manage', { method: req.method, route: req.routeOptions.url ?? '' });
      if (!t || (t.user !== p.name && !mayAny)) return reply.status(404).send({ status: 'NOT_FOUND', message: `'${req.params.id.slice(0, 64)}' not found.`, code: 'NOT_FOUND' });
      await s.tokens.delete(t.id);
      return { status: 'OK', message: `'${t.id}' deleted.` };
    });
  };
}
