/**
 * CRUD for internal users, roles, role mappings, action groups and tenants under
 * `/_plugins/_security/api/<kind>` (GET one/all, PUT, DELETE, PATCH one, bulk PATCH), users and roles
 * also under Vigil's own `/_vigil/security/<kind>`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Namespaces } from '../../security/namespaces.ts';
import { actionGroupsKind, mappingsKind, rolesKind, tenantsKind, usersKind } from '../../security/resource-kinds.ts';
import { ResourceApi, type ApiResult } from '../../security/resources.ts';
import type { Security } from '../../security/service.ts';
import type { RouteAccess } from '../auth.ts';

export const PLUGIN_API = '/_plugins/_security/api';
export const VIGIL_BASE = '/_vigil/security';
export const manage = { config: { access: { permission: 'security:manage' } satisfies RouteAccess } };

export const send = (reply: FastifyReply, r: ApiResult) => reply.status(r.code).send(r.body);

export function resourceRoutes(s: Security): (f: FastifyInstance) => Promise<void> {
  return async (f) => {
    const spaces = new Namespaces(s.options.watchesDir);
    // Folders are read once per request that needs them; the list is small.
    let folders: string[] = [];
    const refreshFolders = async () => void (folders = await spaces.list());
    const apis: Array<[string, ResourceApi, string[], boolean]> = [
      ['internalusers', new ResourceApi(usersKind(s.directory, s.users), s.directory), [PLUGIN_API, VIGIL_BASE], false],
      ['roles', new ResourceApi(rolesKind(s.directory), s.directory), [PLUGIN_API, VIGIL_BASE], false],
      ['rolesmapping', new ResourceApi(mappingsKind(s.directory), s.directory), [PLUGIN_API], false],
      ['actiongroups', new ResourceApi(actionGroupsKind(s.directory), s.directory), [PLUGIN_API], false],
      ['tenants', new ResourceApi(tenantsKind(s.directory, spaces, () => folders), s.directory), [PLUGIN_API], true],
    ];
    for (const [kind, api, bases, needsFolders] of apis) {
      type P = { Params: { name: string } };
      const pre = needsFolders ? refreshFolders : async () => {};
      for (const base of bases) {
        f.get(`${base}/${kind}`, manage, async (_req, reply) => (await pre(), send(reply, api.list())));
        f.patch(`${base}/${kind}`, manage, async (req, reply) => (await pre(), send(reply, await api.bulkPatch(req.body))));
        f.get<P>(`${base}/${kind}/:name`, manage, async (req, reply) => (await pre(), send(reply, api.get(req.params.name))));
        f.put<P>(`${base}/${kind}/:name`, manage, async (req, reply) => (await pre(), send(reply, await api.put(req.params.name, req.body))));
        f.delete<P>(`${base}/${kind}/:name`, manage, async (req, reply) => (await pre(), send(reply, await api.delete(req.params.name))));
        f.patch<P>(`${base}/${kind}/:name`, manage, async (req, reply) => (await pre(), send(reply, await api.patch(req.params.name, req.body))));
      }
    }
  };
}
