import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PROCEDURE_LIMITS } from '../../lib/private/procedure-limits';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { InvalidInputError } from '../shared/errors';
import {
  Neo4jVersion, compareVersions, formatVersion, neo4jVersionFromTag, parseImageReference, parseNeo4jVersion,
} from '../shared/image-reference';
import { show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { checkUpgradePath, versionFamily } from '../shared/neo4j-upgrade-path';
import { UPGRADE_PROCEDURES, UpgradeProcedure, rollingSupport } from '../shared/neo4j-upgrade-procedure';
import { UpgradePlan, UpgradeRequest } from './plan';
import { checkRequest, requireObject } from './request-checks';
import { chooseProcedure } from './procedure-choice';
import { checkSettingsFamily, settingsFamilyOf } from './settings-family';

export * from './plan';
export { MAX_COMMENT_CHARACTERS, REQUEST_KEYS } from './request-checks';

export interface ValidateInputDeps {
  /** The home region: where the cluster runs (clone regions must be others). */
  readonly region: string;
  readonly cfn: CloudFormationClient;
  readonly log: Logger;
}

export interface ValidateInputInput {
  readonly cluster: ClusterContext;
  /** The execution input as the operator gave it (`$$.Execution.Input`). */
  readonly request: UpgradeRequest;
  /** Defaults baked into the state machine from the construct's props; `request` overrides them. */
  readonly defaults?: Omit<UpgradeRequest, 'dockerImage'>;
  /** The procedure this state machine runs (baked by the construct). Default `offline` (the staged procedure). */
  readonly procedure?: UpgradeProcedure;
}

/**
 * Validates the execution input before anything is changed, reads the stack's current DockerImage and
 * checks the Neo4j version path (see shared/neo4j-upgrade-path.ts), and returns the resolved plan.
 * Every refusal is an InvalidInputError naming the field and the value it got; `defaults.<field>` in the
 * message means the value came from the construct's props.
 */
export async function logic(deps: ValidateInputDeps, input: ValidateInputInput): Promise<UpgradePlan> {
  const cluster = requireCluster(input?.cluster);
  const {
    request, dockerImage, toVersion, approvalMode, allowSameVersion, cloneRegions, timeouts, lockTtlSeconds, comment,
    targetCapacity: target, slaveCapacity: slave,
  } = checkRequest(input.request, input.defaults, deps.region);
  const warnings: string[] = [];
  const runs = input.procedure ?? 'offline';
  if (!UPGRADE_PROCEDURES.includes(runs)) {
    throw new InvalidInputError(`procedure (baked by the construct) must be one of ${UPGRADE_PROCEDURES.join(', ')}, got ${show(runs)}`);
  }

  // The stack as it runs now.
  const stack = await describeStack(deps.cfn, cluster.stackName);
  const params = stackParameters(stack);
  for (const [role, key] of Object.entries(cluster.parameterNames)) {
    if (key !== undefined && !(key in params)) {
      throw new InvalidInputError(
        `cluster.parameterNames.${role} is ${show(key)}, but stack ${cluster.stackName} has no such parameter ` +
        `(it has ${Object.keys(params).sort().join(', ')})`,
      );
    }
  }
  const currentDockerImage = params[cluster.parameterNames.dockerImage];
  const fromVersion = currentVersionOf(currentDockerImage, request.fromVersion, cluster);

  const targetCapacity = capacity(params, cluster.parameterNames.desiredCapacity, 'targetCapacity', target, 1, PROCEDURE_LIMITS.mainMembers);
  const slaveCapacity = capacity(params, cluster.parameterNames.slaveDesiredCapacity, 'slaveCapacity', slave, 0, PROCEDURE_LIMITS.slaveMembers);
  checkCapacitiesFitTheGroups(params, cluster, target.field, targetCapacity, slave.field, slaveCapacity);

  const { currentCapacity, currentSlaveMembers } = runningMembers(params, cluster);

  // The version path.
  checkEdition(fromVersion, toVersion, currentDockerImage, dockerImage, warnings);
  const path = checkUpgradePath(fromVersion, toVersion);
  if (!path.ok) {
    throw new InvalidInputError(`dockerImage ${show(dockerImage)} (running ${show(currentDockerImage)}): ${path.reason}`);
  }
  if (path.kind === 'same' && !allowSameVersion) {
    throw new InvalidInputError(
      `dockerImage ${show(dockerImage)} is Neo4j ${formatVersion(toVersion)}, the version already running ` +
      `(${show(currentDockerImage)}): nothing to upgrade; set allowSameVersion to re-run the procedure`,
    );
  }
  checkSettingsFamily(cluster, fromVersion, toVersion, dockerImage);
  warnings.push(...path.warnings);
  const fromSettingsFamily = (cluster.parameterNames.versionFamily && params[cluster.parameterNames.versionFamily]) ||
    (settingsFamilyOf(fromVersion) ?? '');
  const choice = chooseProcedure(
    rollingSupport(fromVersion, toVersion, path.kind, fromSettingsFamily, discoveryVersionOf(cluster, params)), runs, requestedProcedure(input), warnings,
    Object.keys(cluster.parameterNames).some((role) => /^server\d+Image$/.test(role)));
  if (cluster.versionFamily && cluster.versionFamily !== versionFamily(fromVersion)) {
    warnings.push(
      `cluster.versionFamily is ${cluster.versionFamily} but the stack runs ${formatVersion(fromVersion)} ` +
      `(family ${versionFamily(fromVersion)}); the health gates use the family's queries`,
    );
  }

  const plan: UpgradePlan = {
    stackName: cluster.stackName,
    dockerImage,
    currentDockerImage,
    fromVersion: formatVersion(fromVersion),
    toVersion: formatVersion(toVersion),
    toEdition: toVersion.edition ?? '',
    fromFamily: versionFamily(fromVersion),
    toFamily: versionFamily(toVersion),
    toSettingsFamily: settingsFamilyOf(toVersion) ?? (cluster.parameterNames.versionFamily ? params[cluster.parameterNames.versionFamily] : ''),
    upgradeKind: path.kind,
    ...choice,
    currentCapacity,
    currentSlaveMembers,
    targetCapacity,
    slaveCapacity,
    cloneRegions,
    approvalMode,
    allowSameVersion,
    lockTtlSeconds,
    timeouts,
    ...(comment.value !== undefined && { comment: comment.value as string }),
    warnings,
  };
  for (const w of warnings) deps.log.warn('plan warning', { warning: w });
  return plan;
}

/** The stack's DiscoveryVersion parameter ('V1' or 'V2'), undefined when the stack has none (5.x on discovery v1). */
function discoveryVersionOf(cluster: ClusterContext, params: Record<string, string>): string | undefined {
  const key = cluster.parameterNames.discoveryVersion;
  return key === undefined ? undefined : params[key];
}

function requireCluster(value: unknown): ClusterContext {
  const cluster = requireObject(value, 'cluster');
  if (typeof cluster.stackName !== 'string' || cluster.stackName === '') {
    throw new InvalidInputError(`cluster.stackName must be a non-empty string, got ${show(cluster.stackName)}`);
  }
  const names = requireObject(cluster.parameterNames, 'cluster.parameterNames');
  for (const [role, key] of Object.entries(names)) {
    if (key === undefined) continue; // an optional role the stack does not have (versionFamily)
    if (typeof key !== 'string' || key === '') {
      throw new InvalidInputError(`cluster.parameterNames.${role} must be a non-empty string, got ${show(key)}`);
    }
  }
  if (names.dockerImage === undefined) throw new InvalidInputError('cluster.parameterNames.dockerImage is required');
  return value as ClusterContext;
}

/**
 * Capacities the groups can take. Stage 7 sets the main group's MaxSize and DesiredCapacity to
 * targetCapacity and keeps its MinSize, so targetCapacity below MinSize would fail that stack update
 * after the store upgrade. No stage changes the slave-only group, so slaveCapacity must be its size now.
 */
function checkCapacitiesFitTheGroups(
  params: Record<string, string>, cluster: ClusterContext,
  targetField: string, targetCapacity: number, slaveField: string, slaveCapacity: number,
): void {
  const names = cluster.parameterNames;
  const minSize = stackInteger(params, names.minSize, 0);
  if (minSize !== undefined && targetCapacity < minSize) {
    throw new InvalidInputError(
      `${targetField} is ${targetCapacity}, below the main group's minimum (stack parameter ${names.minSize} = ${minSize}), ` +
      'which the scale-out stage keeps',
    );
  }
  const slaveNow = stackInteger(params, names.slaveDesiredCapacity, 0);
  if (slaveNow !== undefined && slaveCapacity !== slaveNow) {
    throw new InvalidInputError(
      `${slaveField} is ${slaveCapacity}, but the slave-only group runs ${slaveNow} (stack parameter ${names.slaveDesiredCapacity}) ` +
      `and no stage changes its size: give ${slaveNow} or leave it out`,
    );
  }
}

/** The stack parameter `key` as an integer >= min, or undefined. */
function stackInteger(params: Record<string, string>, key: string, min: number): number | undefined {
  const raw = params[key];
  const n = Number(raw);
  return raw === undefined || raw.trim() === '' || !Number.isInteger(n) || n < min ? undefined : n;
}

/** The given capacity, else the stack's current value of `key`. */
function capacity(
  params: Record<string, string>, key: string, field: string, given: { value: unknown }, min: number, max: number,
): number {
  if (given.value !== undefined) return given.value as number;
  const n = stackInteger(params, key, min);
  if (n === undefined) {
    throw new InvalidInputError(
      `${field} is not given and the stack's ${key} (${show(params[key])}) is not an integer >= ${min}; give ${field}`,
    );
  }
  return checkMembersCap(n, key, max);
}

/** A member count the stack runs, within what the procedure upgrades (snapshots, volumes and gates list every member). */
function checkMembersCap(n: number, key: string, max: number): number {
  if (n > max) {
    throw new InvalidInputError(
      `the stack's ${key} is ${n}: this procedure upgrades at most ${max} such nodes (every member adds to the state ` +
      `machine's state, capped at 256 KiB)`,
    );
  }
  return n;
}

/**
 * The members the cluster has now, before any change: the main group's desired capacity, and the
 * slave-only nodes that are members (none while SlaveMode is SINGLE). The first stage's gate expects them.
 */
function runningMembers(params: Record<string, string>, cluster: ClusterContext): { currentCapacity: number; currentSlaveMembers: number } {
  const names = cluster.parameterNames;
  const running = (key: string, min: number, max: number) => {
    const n = stackInteger(params, key, min);
    if (n === undefined) {
      throw new InvalidInputError(
        `the stack's ${key} (${show(params[key])}) is not an integer >= ${min}: ` +
        'cannot tell how many members the cluster has before the upgrade',
      );
    }
    return checkMembersCap(n, key, max);
  };
  return {
    currentCapacity: running(names.desiredCapacity, 1, PROCEDURE_LIMITS.mainMembers),
    currentSlaveMembers: params[names.slaveMode] === 'SINGLE' ? 0 : running(names.slaveDesiredCapacity, 0, PROCEDURE_LIMITS.slaveMembers),
  };
}

function currentVersionOf(currentImage: string, fromVersion: unknown, cluster: ClusterContext): Neo4jVersion {
  const fromTag = neo4jVersionFromTag(parseImageReference(currentImage)?.tag);
  if (fromVersion !== undefined) {
    const explicit = typeof fromVersion === 'string' ? parseNeo4jVersion(fromVersion) : undefined;
    if (!explicit) throw new InvalidInputError(`fromVersion must be a Neo4j version like 3.5.35, got ${show(fromVersion)}`);
    if (fromTag && compareVersions(fromTag, explicit) !== 0) {
      throw new InvalidInputError(
        `fromVersion ${show(fromVersion)} does not match the running image ${show(currentImage)} ` +
        `(stack parameter ${cluster.parameterNames.dockerImage})`,
      );
    }
    return { ...explicit, edition: fromTag?.edition ?? explicit.edition };
  }
  if (!fromTag) {
    throw new InvalidInputError(
      `cannot tell the running Neo4j version: stack parameter ${cluster.parameterNames.dockerImage} is ` +
      `${show(currentImage)}; give fromVersion`,
    );
  }
  return fromTag;
}

function checkEdition(from: Neo4jVersion, to: Neo4jVersion, fromImage: string, toImage: string, warnings: string[]) {
  if (from.edition && to.edition && from.edition !== to.edition) {
    throw new InvalidInputError(
      `dockerImage ${show(toImage)} is ${to.edition} edition but the cluster runs ${from.edition} (${show(fromImage)}): ` +
      'do not switch editions during an upgrade',
    );
  }
  if (from.edition === 'enterprise' && !to.edition) {
    warnings.push(`the cluster runs enterprise edition; ${toImage} does not say its edition (official images without -enterprise are community)`);
  }
}

/** The operator's procedure, or the construct's default for it, with the field it came from. */
function requestedProcedure(input: ValidateInputInput): { value: unknown; field: string } {
  const asked = (input.request as Partial<UpgradeRequest>).procedure;
  return asked !== undefined
    ? { value: asked, field: 'procedure' }
    : { value: input.defaults?.procedure, field: 'defaults.procedure' };
}
