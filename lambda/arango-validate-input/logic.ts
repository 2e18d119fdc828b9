import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readArangoCredentials } from '../shared/arango-credentials';
import { Fetch, arangoRequest } from '../shared/arango-http';
import { parseArangoVersion, versionOfImage } from '../shared/arango-version';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { optionalString, requireArray, requireInteger, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { PlannedServer, RoleOrderedContext } from '../shared/role-ordered-context';
import { planServers } from './server-plan';
import { ArangoUpgradeKind, checkUpgradePath } from './version-path';

export interface ArangoValidateInputDeps {
  readonly secrets: SecretsManagerClient;
  readonly fetch: Fetch;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface ArangoValidateInputInput {
  readonly cluster: RoleOrderedContext;
  /** The operator's execution input. */
  readonly request: unknown;
  /** From the construct's props; the request overrides them. */
  readonly defaults?: Record<string, unknown>;
}

export interface ArangoUpgradePlan {
  readonly stackName: string;
  /** The image every server runs after the upgrade. */
  readonly toImage: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly upgradeKind: ArangoUpgradeKind;
  readonly servers: PlannedServer[];
  /** Expiry of the supervision maintenance: it lapses on its own if the procedure never switches it off. */
  readonly maintenanceSeconds: number;
  readonly lockTtlSeconds: number;
  readonly comment?: string;
  readonly warnings: string[];
}

const FIELDS = ['image', 'targetVersion', 'maintenanceSeconds', 'lockTtlSeconds', 'comment', 'minimumPatchBeforeMinor'];

function patchMinimums(value: unknown): Record<string, number> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`minimumPatchBeforeMinor must be an object like {"3.3": 20}, got ${show(value)}`);
  }
  for (const [minor, patch] of Object.entries(value)) {
    if (!/^\d+\.\d+$/.test(minor)) throw new InvalidInputError(`minimumPatchBeforeMinor key must be "major.minor", got ${show(minor)}`);
    requireInteger(patch, `minimumPatchBeforeMinor.${minor}`, 0);
  }
  return value as Record<string, number>;
}

/** Every server's running version, read from its own `/_api/version`; one that does not answer stops the plan. */
async function runningVersions(deps: ArangoValidateInputDeps, cluster: RoleOrderedContext): Promise<Map<string, string>> {
  const credentials = await readArangoCredentials(deps.secrets, cluster.credentialsSecretArn);
  const versions = new Map<string, string>();
  for (const server of cluster.servers) {
    const answer = await arangoRequest({ fetch: deps.fetch, credentials, now: deps.now }, server.endpoint, 'GET', '/_api/version');
    if (answer.status !== 200 || typeof answer.body.version !== 'string') {
      throw new PreconditionFailedError(`server ${server.serverId} (${server.endpoint}) does not answer its version (${answer.status || answer.failure}): every server must run before an upgrade`);
    }
    versions.set(server.serverId, answer.body.version);
  }
  return versions;
}

/**
 * Checks the request and the version path (ArangoDB's rules) before anything changes, and returns the
 * plan: every server in role order with its gate and the maintenance switches. Read-only.
 */
export async function logic(deps: ArangoValidateInputDeps, input: ArangoValidateInputInput): Promise<ArangoUpgradePlan> {
  const request = input?.request;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidInputError(`the execution input must be a JSON object like {"image": "arangodb/arangodb:3.4.2"}, got ${show(request)}`);
  }
  const unknown = Object.keys(request).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw new InvalidInputError(`unknown input field(s) ${unknown.map((k) => show(k)).join(', ')}; known: ${FIELDS.join(', ')}`);
  const fields = { ...(input.defaults ?? {}), ...(request as Record<string, unknown>) };
  const cluster = input.cluster;
  requireString(cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn');
  requireArray(cluster.roleOrder, 'cluster.roleOrder', 1);
  requireArray(cluster.servers, 'cluster.servers', 1);

  const toImage = requireString(fields.image, 'image');
  const tagged = versionOfImage(toImage);
  const given = optionalString(fields.targetVersion, 'targetVersion');
  if (tagged && given && parseArangoVersion(given, 'targetVersion').text !== tagged) {
    throw new InvalidInputError(`targetVersion ${show(given)} differs from the version of image ${show(toImage)} (${tagged})`);
  }
  if (!tagged && !given) throw new InvalidInputError(`image ${show(toImage)} names no version in its tag: give targetVersion`);
  const to = parseArangoVersion(tagged ?? given, tagged ? 'image' : 'targetVersion');
  const maintenanceSeconds = requireInteger(fields.maintenanceSeconds ?? 3600, 'maintenanceSeconds', 60);
  const lockTtlSeconds = requireInteger(fields.lockTtlSeconds ?? 6 * 3600, 'lockTtlSeconds', 60);
  const minimums = patchMinimums(fields.minimumPatchBeforeMinor);
  const comment = optionalString(fields.comment, 'comment');
  const servers = planServers(cluster);

  const versions = await runningVersions(deps, cluster);
  const distinct = [...new Set(versions.values())];
  if (distinct.length > 1) {
    throw new PreconditionFailedError(`the servers run different versions (${[...versions].map(([id, v]) => `${id} ${v}`).join(', ')}): finish or roll back the earlier upgrade first`);
  }
  const from = parseArangoVersion(distinct[0], 'the running version');
  const upgradeKind = checkUpgradePath(from, to, minimums);
  const warnings = upgradeKind === 'patch' ? ['a patch upgrade: each server still gets one auto-upgrade run (a no-op for the store)'] : [];
  const plan: ArangoUpgradePlan = {
    stackName: cluster.stackName, toImage, fromVersion: from.text, toVersion: to.text, upgradeKind, servers,
    maintenanceSeconds, lockTtlSeconds, ...(comment && { comment }), warnings,
  };
  deps.log.info('plan', { fromVersion: plan.fromVersion, toVersion: plan.toVersion, order: servers.map((s) => s.serverId) });
  return plan;
}
