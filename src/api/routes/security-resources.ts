/**
 * CRUD for internal users, roles, role mappings, action groups and tenants under
 * `/_plugins/_security/api/<kind>` (GET one/all, PUT, DELETE, PATCH one, bulk PATCH), users and roles
 * also under Vigil's own `/_vigil/security/<kind>`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Namespaces } from '../../security/namespaces.ts';
import { actionGroupsKind, mappingsKind, rolesKind, tenantsKind, usersKind } from '../../security/resource-kinds.ts';
import { patchSchema, ResourceApi, type ApiResult, type ResourceKind } from '../../security/resources.ts';
import type { Security } from '../../security/service.ts';
import { z } from 'zod';
import type { RouteAccess } from '../auth.ts';
import { securityStatus } from '../responses.ts';
import { component } from '../route-schema.ts';

export const PLUGIN_API = '/_plugins/_security/api';
export const VIGIL_BASE = '/_vigil/security';
export const manage = { config: { access: { permission: 'security:manage' } satisfies RouteAccess } };

export const send = (reply: FastifyReply, r: ApiResult) => reply.status(r.code).send(r.body);

/** What each kind is called in summaries, and an example body for a PUT of it. */
const KINDS: Record<string, { one: string; component: string; example: { name: string; body: unknown } }> = {
  internalusers: { one: 'internal user', component: 'InternalUser', example: { name: 'openapi-user', body: { password: 'a long example password', opendistro_security_roles: ['viewer'], description: 'Reads watches' } } },
  roles: {
    one: 'role',
    component: 'Role',
    example: { name: 'openapi-oncall', body: { cluster_permissions: ['VIGIL_ACCOUNT_READ'], tenant_permissions: [{ tenant_patterns: ['team_*'], allowed_actions: ['VIGIL_WATCH_MANAGE'] }], description: 'Team on call' } },
  },
  rolesmapping: { one: 'role mapping', component: 'RoleMapping', example: { name: 'viewer', body: { users: ['openapi-user'], backend_roles: ['readers'] } } },
  actiongroups: { one: 'action group', component: 'ActionGroup', example: { name: 'OPENAPI_ONCALL', body: { allowed_actions: ['VIGIL_WATCH_ACKNOWLEDGE', 'watch:read'], type: 'tenant' } } },
  tenants: { one: 'tenant', component: 'Tenant', example: { name: 'openapi_team', body: { description: 'A team\'s watches: the folder watches/openapi_team' } } },
};

const nameParam = z.object({ name: z.string().describe('The resource name') });
const listResponse = z.record(z.string(), z.looseObject({})).describe('Every resource by name (hidden ones left out)');

export function resourceRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    const spaces = new Namespaces(s.options.watchesDir);
    // Folders are read once per request that needs them; the list is small.
    let folders: string[] = [];
    const refreshFolders = async () => void (folders = await spaces.list());
    const kinds: Array<[string, ResourceKind, string[], boolean]> = [
      ['internalusers', usersKind(s.directory, s.users), [PLUGIN_API, VIGIL_BASE], false],
      ['roles', rolesKind(s.directory), [PLUGIN_API, VIGIL_BASE], false],
      ['rolesmapping', mappingsKind(s.directory), [PLUGIN_API], false],
      ['actiongroups', actionGroupsKind(s.directory), [PLUGIN_API], false],
      ['tenants', tenantsKind(s.directory, spaces, () => folders), [PLUGIN_API], true],
    ];
    const patch = component('JsonPatch', patchSchema);
    for (const [kind, resource, bases, needsFolders] of kinds) {
      type P = { Params: { name: string } };
      const api = new ResourceApi(resource, s.directory);
      const pre = needsFolders ? refreshFolders : async () => {};
      const { one, example, component: name } = KINDS[kind]!;
      const body = component(name, resource.body);
      const named = [{ name: 'example', summary: `The example ${one}`, params: { name: example.name } }];
      const doc = (summary: string, more: Record<string, unknown> = {}) => ({ ...manage, schema: { summary, ...more } });
      for (const base of bases) {
        f.get(`${base}/${kind}`, doc(`List the ${one}s`, { response: { 200: listResponse } }), async (_req, reply) => (await pre(), send(reply, api.list())));
        f.patch(`${base}/${kind}`, doc(`Change several ${one}s with one JSON Patch, all or nothing`, {
          body: patch,
          response: { 200: securityStatus },
          examples: [{ name: 'example', summary: `Describe the example ${one}`, body: [{ op: 'add', path: `/${example.name}/description`, value: 'Changed by a bulk PATCH' }] }],
        }), async (req, reply) => (await pre(), send(reply, await api.bulkPatch(req.body))));
        f.get<P>(`${base}/${kind}/:name`, doc(`Read one ${one}`, { params: nameParam, response: { 200: listResponse }, examples: named }), async (req, reply) => (await pre(), send(reply, api.get(req.params.name))));
        f.put<P>(`${base}/${kind}/:name`, doc(`Create or replace one ${one}`, {
          params: nameParam,
          body,
          response: { 200: securityStatus, 201: securityStatus },
          examples: [{ ...named[0]!, body: example.body }],
        }), async (req, reply) => (await pre(), send(reply, await api.put(req.params.name, req.body))));
        f.delete<P>(`${base}/${kind}/:name`, doc(`Delete one ${one}`, { params: nameParam, response: { 200: securityStatus }, examples: named }), async (req, reply) => (await pre(), send(reply, await api.delete(req.params.name))));
        f.patch<P>(`${base}/${kind}/:name`, doc(`Change one ${one} with a JSON Patch`, {
          params: nameParam,
          body: patch,
          response: { 200: securityStatus },
          examples: [{ ...named[0]!, body: [{ op: 'add', path: '/description', value: 'Changed by a PATCH' }] }],
        }), async (req, reply) => (await pre(), send(reply, await api.patch(req.params.name, req.body))));
      }
    }
  };
}
