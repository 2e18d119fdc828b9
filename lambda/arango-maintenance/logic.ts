import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readArangoCredentials } from '../shared/arango-credentials';
import { ArangoCall, Fetch, arangoRequest } from '../shared/arango-http';
import { coordinatorsOf } from '../shared/arango-coordinators';
import { InvalidInputError, TransientAwsError } from '../shared/errors';
import { requireInteger, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { RoleOrderedContext } from '../shared/role-ordered-context';

export interface ArangoMaintenanceDeps {
  readonly secrets: SecretsManagerClient;
  readonly fetch: Fetch;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface ArangoMaintenanceInput {
  readonly cluster: RoleOrderedContext;
  readonly mode: 'on' | 'off';
  /** With `on`: the expiry; the supervision comes back on its own after it. */
  readonly seconds?: number;
}

export interface ArangoMaintenanceOutput {
  readonly mode: 'on' | 'off';
  /** Maintenance was on before this call (e.g. left on by someone else). */
  readonly wasActive: boolean;
  readonly answeredBy: string;
  readonly seconds?: number;
}

/** Error name the state machine retries: no coordinator could switch the mode (yet). */
export class MaintenanceUnavailableError extends TransientAwsError {
  constructor(message: string) {
    super(message);
    this.name = 'MaintenanceUnavailableError';
  }
}

async function switchOn(call: ArangoCall, endpoint: string, body: string): Promise<{ ok: boolean; wasActive: boolean; detail: string }> {
  const before = await arangoRequest(call, endpoint, 'GET', '/_admin/cluster/maintenance');
  const put = await arangoRequest(call, endpoint, 'PUT', '/_admin/cluster/maintenance', body);
  const after = await arangoRequest(call, endpoint, 'GET', '/_admin/cluster/maintenance');
  const expected = body === 'off' ? 'Normal' : 'Maintenance';
  return {
    ok: put.status === 200 && after.status === 200 && after.body.result === expected,
    wasActive: before.body.result === 'Maintenance',
    detail: `PUT ${put.status || put.failure}, then ${String(after.body.result ?? after.status)}`,
  };
}

/**
 * Switches the agency supervision's maintenance mode through the first coordinator that answers
 * (`PUT /_admin/cluster/maintenance` with `"<seconds>"` or `"off"`), and reads it back. Idempotent.
 */
export async function logic(deps: ArangoMaintenanceDeps, input: ArangoMaintenanceInput): Promise<ArangoMaintenanceOutput> {
  if (input?.mode !== 'on' && input?.mode !== 'off') throw new InvalidInputError(`mode must be "on" or "off", got ${show(input?.mode)}`);
  const seconds = input.mode === 'on' ? requireInteger(input.seconds, 'seconds', 60) : undefined;
  const credentials = await readArangoCredentials(deps.secrets, requireString(input.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn'));
  const call = { fetch: deps.fetch, credentials, now: deps.now };
  const failures: string[] = [];
  for (const coordinator of coordinatorsOf(input.cluster)) {
    const r = await switchOn(call, coordinator.endpoint, seconds === undefined ? 'off' : String(seconds));
    if (r.ok) {
      deps.log.info('maintenance switched', { mode: input.mode, seconds, wasActive: r.wasActive, coordinator: coordinator.serverId });
      return { mode: input.mode, wasActive: r.wasActive, answeredBy: coordinator.serverId, ...(seconds !== undefined && { seconds }) };
    }
    failures.push(`${coordinator.serverId}: ${r.detail}`);
  }
  throw new MaintenanceUnavailableError(`no coordinator switched maintenance ${input.mode}: ${failures.join('; ') || 'no coordinators'}`);
}
