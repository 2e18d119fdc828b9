import * as http from 'node:http';
import { agencyConfig } from './agency-config';
import { RootAuth } from './auth';
import { EmulatedCluster, EmulatedServer } from './cluster';
import { clusterHealth } from './cluster-health';
import { clusterInventory } from './cluster-inventory';
import { readBody, sendArangoError, sendJson } from './http';
import { isoSeconds, parseMaintenanceBody } from './maintenance';

/** `/_admin/server/role` names (https://docs.arango.ai/arangodb/3.12/develop/http-api/cluster/#get-the-server-role). */
const SERVER_ROLE = { Agent: 'AGENT', DBServer: 'PRIMARY', Coordinator: 'COORDINATOR' } as const;

export interface ArangoApiContext {
  readonly cluster: EmulatedCluster;
  readonly auth: RootAuth;
  readonly license: 'community' | 'enterprise';
  endpointOf(id: string): string;
}

/** The ArangoDB HTTP API of one server (each server has its own listener). */
export function arangoApi(ctx: ArangoApiContext, server: EmulatedServer): http.RequestListener {
  return (req, res) => {
    handle(ctx, server, req, res).catch((err: Error) => sendArangoError(res, 500, 4, err.message));
  };
}

async function handle(ctx: ArangoApiContext, server: EmulatedServer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { cluster } = ctx;
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/_db\/_system(?=\/)/, '');
  const route = `${req.method} ${path}`;
  const body = await readBody(req);
  if (server.role === 'Coordinator' && cluster.takeUnavailableCall(server)) {
    return sendArangoError(res, 503, 503, 'service unavailable');
  }
  // https://docs.arango.ai/arangodb/3.12/develop/http-api/authentication/#create-a-jwt-session-token
  if (route === 'POST /_open/auth') {
    let credentials: { username?: unknown; password?: unknown };
    try {
      credentials = JSON.parse(body) as typeof credentials;
    } catch {
      return sendArangoError(res, 400, 400, 'expected a JSON object with username and password');
    }
    const jwt = ctx.auth.issueJwt(credentials?.username, credentials?.password);
    return jwt ? sendJson(res, 200, { jwt }) : sendArangoError(res, 401, 401, 'Wrong credentials');
  }
  if (!ctx.auth.accepts(req.headers.authorization, server.role !== 'Coordinator')) {
    if (req.headers['x-omit-www-authenticate'] === undefined) res.setHeader('www-authenticate', 'Bearer token_type="JWT", realm="ArangoDB"');
    return sendArangoError(res, 401, 401, 'not authorized to execute this request');
  }
  switch (route) {
    // https://docs.arango.ai/arangodb/3.12/develop/http-api/administration/#get-the-server-version
    case 'GET /_api/version':
      return sendJson(res, 200, { server: 'arango', version: server.version, license: ctx.license });
    // https://docs.arango.ai/arangodb/3.12/develop/http-api/cluster/#get-the-server-role
    case 'GET /_admin/server/role':
      return sendJson(res, 200, { error: false, code: 200, errorNum: 0, role: SERVER_ROLE[server.role] });
  }
  if (server.role === 'Agent' && route === 'GET /_api/agency/config') {
    return sendJson(res, 200, agencyConfig(cluster, server, (id) => ctx.endpointOf(id)));
  }
  if (server.role === 'Coordinator') {
    switch (route) {
      case 'GET /_admin/cluster/health':
        return sendJson(res, 200, clusterHealth(cluster, (id) => ctx.endpointOf(id)));
      case 'GET /_api/replication/clusterInventory':
        return sendJson(res, 200, clusterInventory(cluster));
      case 'PUT /_admin/cluster/maintenance':
        return setMaintenance(cluster, body, res);
      // Not on the API page; the shape ArangoDB's own tests assert (tests/js/client/shell/api/supervision-maintenance).
      case 'GET /_admin/cluster/maintenance':
        return sendJson(res, 200, { error: false, code: 200, result: cluster.maintenance.active ? 'Maintenance' : 'Normal' });
    }
  }
  if (route === 'PUT /_admin/cluster/maintenance') {
    return sendArangoError(res, 501, 9, 'only allowed on coordinators or single servers');
  }
  sendArangoError(res, 404, 404, `unknown path '${path}'`);
}

/** https://docs.arango.ai/arangodb/3.12/develop/http-api/cluster/#set-the-cluster-maintenance-mode */
function setMaintenance(cluster: EmulatedCluster, body: string, res: http.ServerResponse): void {
  const request = parseMaintenanceBody(body);
  if (!request) return sendArangoError(res, 400, 400, `state string expected: "on", "off" or a number of seconds; got ${body}`);
  cluster.setMaintenance(request, 'api');
  cluster.commit();
  if (request.mode === 'off') return sendJson(res, 200, { error: false, code: 200 });
  const until = isoSeconds(cluster.maintenance.until as number);
  sendJson(res, 200, {
    error: false, code: 200,
    warning: `Cluster supervision deactivated. It will be reactivated automatically on ${until} unless this command is executed again.`,
  });
}
