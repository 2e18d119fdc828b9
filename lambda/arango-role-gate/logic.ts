import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readArangoCredentials } from '../shared/arango-credentials';
import { Fetch } from '../shared/arango-http';
import { InvalidInputError } from '../shared/errors';
import { requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';
import { GATES } from './checks';

export interface ArangoRoleGateDeps {
  readonly secrets: SecretsManagerClient;
  readonly fetch: Fetch;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface ArangoRoleGateInput {
  readonly cluster: RoleOrderedContext;
  readonly server: PlannedServer;
  readonly toVersion: string;
}

/** The server's role gate; HealthGateError (retried by the state machine) until it holds. Read-only. */
export async function logic(deps: ArangoRoleGateDeps, input: ArangoRoleGateInput): Promise<{ serverId: string; gate: string; passed: string }> {
  const server = input?.server;
  requireString(server?.serverId, 'server.serverId');
  const check = GATES[server.gate];
  if (!check) throw new InvalidInputError(`server.gate must be one of ${Object.keys(GATES).join(', ')}, got ${show(server.gate)}`);
  const toVersion = requireString(input.toVersion, 'toVersion');
  const credentials = await readArangoCredentials(deps.secrets, requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn'));
  const passed = await check({ fetch: deps.fetch, credentials, now: deps.now }, input.cluster, server, toVersion);
  deps.log.info('gate passed', { serverId: server.serverId, gate: server.gate, passed });
  return { serverId: server.serverId, gate: server.gate, passed };
}
