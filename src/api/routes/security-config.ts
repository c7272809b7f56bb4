/**
 * The security configuration documents and the service endpoints: `securityconfig` (authentication),
 * `audit` (what the audit log keeps) and the audit log itself (`/_vigil/security/audit`), `cache`,
 * `ssl/certs` and `ssl/http/reloadcerts`, the unauthenticated `/_plugins/_security/health`, and the
 * endpoints of the OpenSearch Security API that have no meaning for a standalone daemon (501, saying why).
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AUDIT_READONLY, auditConfigSchema } from '../../security/audit-config.ts';
import { notApplicable, publicView, restoreKeys, securityConfigSchema } from '../../security/auth-config.ts';
import { applyPatch, badRequest } from '../../security/resources.ts';
import { zodDetail } from '../../error-detail.ts';
import { isValidName } from '../../security/roles.ts';
import type { Security } from '../../security/service.ts';
import { certificateInfo, loadPair } from '../../security/tls-certs.ts';
import type { RouteAccess } from '../auth.ts';
import { manage, PLUGIN_API, send, VIGIL_BASE } from './security-resources.ts';
import { patchSchema } from '../../security/resources.ts';
import { component } from '../route-schema.ts';
import { securityStatus } from '../responses.ts';

const notImplemented = (reply: FastifyReply, message: string) => reply.status(501).send({ status: 'NOT_IMPLEMENTED', message, code: 'NOT_IMPLEMENTED' });

/** Endpoints of the OpenSearch Security API that do not apply, with the reason given. */
const NOT_APPLICABLE_ROUTES: Array<[string[], string, string]> = [
  [['GET', 'PUT', 'PATCH', 'DELETE'], 'nodesdn', 'Vigil is a single daemon with no transport layer: there are no node certificates to allow.'],
  [['GET', 'PUT', 'PATCH', 'DELETE'], 'nodesdn/:name', 'Vigil is a single daemon with no transport layer: there are no node certificates to allow.'],
  [['PUT'], 'ssl/transport/reloadcerts', 'Vigil has no transport layer: only the API (http) certificate can be reloaded.'],
  [['GET', 'PUT', 'PATCH'], 'allowlist', 'Vigil restricts API routes per role (endpoints_disabled in roles), not with an allow list.'],
  [['GET'], '_upgrade_check', 'Vigil brings its security data up to date when it opens its state store: there is nothing to upgrade.'],
  [['POST'], '_upgrade_perform', 'Vigil brings its security data up to date when it opens its state store: there is nothing to upgrade.'],
];

const auditQuery = z
  .object({
    from: z.string().optional().describe('Records at or after this time: epoch milliseconds or an ISO date'),
    to: z.string().optional().describe('Records before this time: epoch milliseconds or an ISO date'),
    user: z.string().max(256).optional().describe('Only this user\'s records'),
    size: z.coerce.number().int().min(0).max(10_000).optional().describe('Records to return, newest first'),
  })
  .strict();

/** `PUT …/securityconfig/config` takes the `config` object alone; GET and PATCH see it under `config`. */
const securityConfigBody = component('SecurityConfig', (securityConfigSchema as unknown as z.ZodObject).shape.config as z.ZodType);
const auditConfig = component('AuditConfig', auditConfigSchema);
const EXAMPLE_AUDIT = { enabled: true, audit: { enable_rest: true, disabled_rest_categories: ['AUTHENTICATED'], ignore_users: ['bot-*'], log_request_body: false } };
const doc = (summary: string, more: Record<string, unknown> = {}) => ({ ...manage, schema: { summary, ...more } });

/** Epoch ms or an ISO date; undefined for an absent value, NaN for a bad one. */
function timeParam(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

export function configRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    // ---- securityconfig ----
    const putSecurityConfig = async (reply: FastifyReply, doc: unknown) => {
      const na = notApplicable(doc);
      if (na.length) return notImplemented(reply, na.map((n) => `${n.path}: ${n.reason}`).join(' '));
      const parsed = securityConfigSchema.safeParse(doc);
      if (!parsed.success) return send(reply, badRequest('Invalid security configuration: see detail.', zodDetail(parsed.error.issues, { style: 'dotted' })));
      const restored = restoreKeys(parsed.data, s.securityConfig);
      if (!restored.ok) return send(reply, badRequest('A signing key placeholder stands for no stored key.', { [restored.path]: [{ error: 'give the key itself' }] }));
      try {
        await s.setSecurityConfig(parsed.data);
      } catch {
        // The key text is not repeated: it may be a secret.
        return send(reply, badRequest('A signing_key could not be read as a PEM public key or a base64 secret.', { signing_key: [{ error: 'unreadable key' }] }));
      }
      return send(reply, { code: 200, body: { status: 'OK', message: "'config' updated." } });
    };
    f.get(`${PLUGIN_API}/securityconfig`, doc('The authentication configuration (inline signing keys shown as [redacted])', { response: { 200: z.looseObject({ config: z.looseObject({}) }) } }), async () => publicView(s.securityConfig));
    f.put(`${PLUGIN_API}/securityconfig/config`, doc('Replace the authentication configuration', {
      description: 'Keys of the OpenSearch document that have no meaning for Vigil answer 501 with the reason (docs/access-control.md).',
      body: securityConfigBody,
      response: { 200: securityStatus },
      examples: [{ name: 'basic', summary: 'Passwords only', body: { dynamic: { authc: { basic_internal_auth_domain: { http_enabled: true, order: 0, http_authenticator: { type: 'basic', challenge: true }, authentication_backend: { type: 'intern' } } } } } }],
    }), async (req, reply) => putSecurityConfig(reply, { config: req.body }));
    f.patch(`${PLUGIN_API}/securityconfig`, doc('Change the authentication configuration with a JSON Patch (paths under /config/dynamic)', { body: patchSchema, response: { 200: securityStatus } }), async (req, reply) => {
      const patched = applyPatch(publicView(s.securityConfig), req.body);
      if (!patched.ok) return send(reply, patched.result);
      return putSecurityConfig(reply, patched.value);
    });

    // ---- audit configuration and log ----
    const putAudit = async (reply: FastifyReply, doc: unknown) => {
      const parsed = auditConfigSchema.safeParse(doc);
      if (!parsed.success) return send(reply, badRequest('Invalid audit configuration: see detail.', zodDetail(parsed.error.issues, { style: 'dotted', prefix: ['config'] })));
      await s.setAuditConfig(parsed.data);
      return send(reply, { code: 200, body: { status: 'OK', message: "'config' updated." } });
    };
    f.get(`${PLUGIN_API}/audit`, doc('What the audit log keeps', { response: { 200: z.looseObject({ _readonly: z.array(z.string()), config: z.looseObject({}) }) } }), async () => ({ _readonly: AUDIT_READONLY, config: s.auditLog.config }));
    f.put(`${PLUGIN_API}/audit/config`, doc('Replace the audit configuration', {
      body: auditConfig,
      response: { 200: securityStatus },
      examples: [{ name: 'rest', summary: 'Audit REST changes, not authenticated reads; ignore bots', body: EXAMPLE_AUDIT }],
    }), async (req, reply) => putAudit(reply, req.body));
    f.patch(`${PLUGIN_API}/audit`, doc('Change the audit configuration with a JSON Patch (paths under /config)', {
      body: patchSchema,
      response: { 200: securityStatus },
      examples: [{ name: 'bodies', summary: 'Keep request bodies (redacted)', body: [{ op: 'replace', path: '/config/audit/log_request_body', value: true }] }],
    }), async (req, reply) => {
      const patched = applyPatch({ config: s.auditLog.config }, req.body);
      if (!patched.ok) return send(reply, patched.result);
      return putAudit(reply, (patched.value as { config?: unknown }).config);
    });

    f.get(`${VIGIL_BASE}/audit`, doc('The audit log, newest first: changes, refused logins and refused permissions', {
      querystring: auditQuery,
      response: { 200: z.object({ total: z.number().int(), hits: z.array(z.looseObject({ time: z.string(), user: z.string().nullable(), address: z.string(), method: z.string(), path: z.string(), outcome: z.string(), status: z.number().int() })) }) },
      examples: [{ name: 'recent', summary: 'The last 50 records', query: { size: '50' } }],
    }), async (req, reply) => {
      const q = auditQuery.safeParse(req.query ?? {});
      if (!q.success) return send(reply, badRequest('Invalid audit query.', zodDetail(q.error.issues, { style: 'dotted' })));
      const from = timeParam(q.data.from);
      const to = timeParam(q.data.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return send(reply, badRequest('from and to must be epoch milliseconds or ISO dates.'));
      const r = await s.auditLog.query({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(q.data.user !== undefined ? { user: q.data.user } : {}), ...(q.data.size !== undefined ? { size: q.data.size } : {}) });
      return { total: r.total, hits: r.hits.map((h) => ({ ...h, time: new Date(h.time).toISOString() })) };
    });

    // ---- cache, health, certificates ----
    f.delete(`${PLUGIN_API}/cache`, doc('Forget remembered logins and tokens', { response: { 200: securityStatus } }), async () => {
      s.flushCaches();
      return { status: 'OK', message: 'Cache flushed successfully.' };
    });

    f.get('/_plugins/_security/health', {
      config: { access: { public: true } satisfies RouteAccess },
      schema: { summary: 'The security module is up (no credentials)', response: { 200: z.object({ message: z.null(), mode: z.literal('strict'), status: z.literal('UP') }) } },
    }, async () => ({ message: null, mode: 'strict', status: 'UP' }));

    const tls = s.options.tls;
    let served: Buffer | undefined;
    f.get(`${PLUGIN_API}/ssl/certs`, doc('The API\'s TLS certificate: subject, issuer, SANs, validity', {
      response: { 200: z.object({ http_certificates_list: z.array(z.looseObject({})), transport_certificates_list: z.array(z.never()) }) },
    }), async () => {
      if (tls) served ??= readFileSync(tls.cert_file);
      return { http_certificates_list: served ? [certificateInfo(served)] : [], transport_certificates_list: [] };
    });
    f.put(`${PLUGIN_API}/ssl/http/reloadcerts`, doc('Read the API\'s certificate and key again (api.tls); the old pair stays if the new one is not usable'), async (_req, reply) => {
      const server = f.server as unknown as Partial<import('node:tls').Server>;
      if (!tls || typeof server.setSecureContext !== 'function') return send(reply, badRequest('The API is not served over TLS (api.tls is not set): there is no certificate to reload.'));
      const pair = await loadPair(tls, s.clockNow());
      if (!pair.ok) return send(reply, badRequest(`Certificates not reloaded: ${pair.reason}. The current ones stay in use.`));
      server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
      served = pair.cert;
      return { message: 'updated http certs' };
    });

    for (const [methods, path, reason] of NOT_APPLICABLE_ROUTES) {
      f.route({
        method: methods as ['GET'],
        url: `${PLUGIN_API}/${path}`,
        ...doc(`Not applicable to Vigil: answers 501 with the reason`, { description: reason }),
        handler: async (req, reply) => {
          const name = (req.params as { name?: string }).name;
          if (name !== undefined && !isValidName(name)) return send(reply, badRequest('Invalid name: it must match [A-Za-z0-9_.@-]{1,128} and not be a reserved word.'));
          return notImplemented(reply, reason);
        },
      });
    }
  };
}
