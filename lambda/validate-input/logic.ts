import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { partitionOf } from '../shared/aws-regions';
import { InvalidInputError } from '../shared/errors';
import {
  ImageReference, Neo4jVersion, compareVersions, formatVersion, neo4jVersionFromTag, parseImageReference,
  parseNeo4jVersion,
} from '../shared/image-reference';
import { show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { checkUpgradePath, versionFamily } from '../shared/neo4j-upgrade-path';
import {
  APPROVAL_MODES, ApprovalMode, DEFAULT_APPROVAL_MODE, DEFAULT_LOCK_TTL_SECONDS, DEFAULT_TIMEOUTS, UpgradePlan, UpgradeRequest,
  UpgradeTimeouts,
} from './plan';
import { checkSettingsFamily, settingsFamilyOf } from './settings-family';

export * from './plan';

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
}

/** Every field the execution input may have. */
export const REQUEST_KEYS: readonly (keyof UpgradeRequest)[] = [
  'dockerImage', 'targetVersion', 'fromVersion', 'targetCapacity', 'slaveCapacity', 'cloneRegions', 'approvalMode',
  'allowSameVersion', 'lockTtlSeconds', 'timeouts', 'comment',
];
const TIMEOUT_KEYS = Object.keys(DEFAULT_TIMEOUTS) as (keyof UpgradeTimeouts)[];
const MIN_SECONDS = 60;
/** Step Functions' longest task timeout (one year). */
const MAX_SECONDS = 31_536_000;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** The comment travels in the state and the result notification: it must stay small. */
export const MAX_COMMENT_CHARACTERS = PROCEDURE_LIMITS.commentCharacters;
/** How many unknown field names one message lists. */
const LISTED_UNKNOWN_FIELDS = 10;

/**
 * Validates the execution input before anything is changed, reads the stack's current DockerImage and
 * checks the Neo4j version path (see shared/neo4j-upgrade-path.ts), and returns the resolved plan.
 * Every refusal is an InvalidInputError naming the field and the value it got; `defaults.<field>` in the
 * message means the value came from the construct's props.
 */
export async function logic(deps: ValidateInputDeps, input: ValidateInputInput): Promise<UpgradePlan> {
  const cluster = requireCluster(input?.cluster);
  const request = requireExecutionInput(input.request) as UpgradeRequest;
  const defaults = requireObject(input.defaults ?? {}, 'defaults') as UpgradeRequest;
  rejectUnknownKeys(request, 'request');
  rejectUnknownKeys(defaults, 'defaults');
  if (defaults.dockerImage !== undefined) {
    throw new InvalidInputError(`defaults.dockerImage is not allowed (the image is chosen per execution), got ${show(defaults.dockerImage)}`);
  }
  const warnings: string[] = [];

  // Everything that needs no AWS call first.
  const dockerImage = request.dockerImage;
  if (typeof dockerImage !== 'string' || dockerImage === '') {
    throw new InvalidInputError(`dockerImage is required (repo:tag or repo@sha256:...), got ${show(dockerImage)}`);
  }
  const image = parseImageReference(dockerImage);
  if (!image) throw new InvalidInputError(`dockerImage is not a valid image reference: ${show(dockerImage)}`);
  if (image.tag === undefined && image.digest === undefined) {
    throw new InvalidInputError(`dockerImage must name a tag or a digest, got ${show(dockerImage)}`);
  }
  if (image.tag === 'latest') {
    throw new InvalidInputError(`dockerImage must not use the tag "latest" (pin a version), got ${show(dockerImage)}`);
  }
  const toVersion = targetVersionOf(image, dockerImage, request.targetVersion);

  const pick = <K extends keyof UpgradeRequest>(key: K) =>
    request[key] !== undefined
      ? { value: request[key], field: key as string }
      : { value: defaults[key], field: `defaults.${key}` };

  const approval = pick('approvalMode');
  const approvalMode = (approval.value ?? DEFAULT_APPROVAL_MODE) as ApprovalMode;
  if (!APPROVAL_MODES.includes(approvalMode)) {
    throw new InvalidInputError(`${approval.field} must be one of ${APPROVAL_MODES.join(', ')}, got ${show(approval.value)}`);
  }
  const same = pick('allowSameVersion');
  if (same.value !== undefined && typeof same.value !== 'boolean') {
    throw new InvalidInputError(`${same.field} must be true or false, got ${show(same.value)}`);
  }
  const allowSameVersion = same.value === true;
  const regions = pick('cloneRegions');
  const cloneRegions = checkRegions(regions.value ?? [], regions.field, deps.region, defaults.cloneRegions);
  const timeouts = mergeTimeouts(request.timeouts, defaults.timeouts);
  const ttl = pick('lockTtlSeconds');
  const lockTtlSeconds = ttl.value === undefined ? DEFAULT_LOCK_TTL_SECONDS : checkSeconds(ttl.value, ttl.field);
  if (lockTtlSeconds <= timeouts.approvalSeconds) {
    throw new InvalidInputError(
      `${ttl.field} (${lockTtlSeconds}) must be longer than timeouts.approvalSeconds (${timeouts.approvalSeconds}): ` +
      'the lock would expire while an approval waits',
    );
  }
  const comment = pick('comment');
  if (comment.value !== undefined && typeof comment.value !== 'string') {
    throw new InvalidInputError(`${comment.field} must be a string, got ${show(comment.value)}`);
  }
  if (typeof comment.value === 'string' && comment.value.length > MAX_COMMENT_CHARACTERS) {
    throw new InvalidInputError(
      `${comment.field} must be at most ${MAX_COMMENT_CHARACTERS} characters, got ${comment.value.length}: ${show(comment.value)}`,
    );
  }
  if (typeof comment.value === 'string' && jsonBytes(comment.value) - 2 > PROCEDURE_LIMITS.commentBytes) {
    throw new InvalidInputError(
      `${comment.field} must be at most ${PROCEDURE_LIMITS.commentBytes} bytes as JSON (UTF-8, escapes included), ` +
      `got ${jsonBytes(comment.value) - 2}: ${show(comment.value)}`,
    );
  }

  const target = pick('targetCapacity');
  if (target.value !== undefined) checkInteger(target.value, target.field, 1, PROCEDURE_LIMITS.mainMembers);
  const slave = pick('slaveCapacity');
  if (slave.value !== undefined) checkInteger(slave.value, slave.field, 0, PROCEDURE_LIMITS.slaveMembers);

  // Every field is checked on its own above; the input as a whole is bounded too (it stays at `$.request`).
  checkRequestSize(request as Record<string, unknown>);

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

/**
 * The execution input as a whole: Step Functions accepts any JSON (a string, an array, null), and the
 * state machine passes it here untouched. Anything but an object is refused as one error, before
 * its fields are looked at (an array would otherwise read as fields "0", "1", ...).
 */
function requireExecutionInput(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? `an array of ${value.length} item(s)` : `a ${typeof value}`;
    throw new InvalidInputError(
      `the execution input must be a JSON object like {"dockerImage": "neo4j:5.26.2-enterprise"}, got ${kind}: ${show(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** The request stays at `$.request` for the whole execution: bounded, so every later state has room. */
function checkRequestSize(request: Record<string, unknown>): void {
  const bytes = jsonBytes(request);
  if (bytes > PROCEDURE_LIMITS.executionInputBytes) {
    const largest = Object.entries(request).map(([k, v]) => ({ k, bytes: jsonBytes(v) })).sort((a, b) => b.bytes - a.bytes)[0];
    throw new InvalidInputError(
      `the execution input is ${bytes} bytes as JSON, at most ${PROCEDURE_LIMITS.executionInputBytes} (it is kept in the state, ` +
      `which Step Functions caps at 256 KiB); its largest field is ${show(largest?.k)} (${largest?.bytes} bytes)`,
    );
  }
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${field} must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
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

function rejectUnknownKeys(obj: object, where: string): void {
  const unknown = Object.keys(obj).filter((k) => !(REQUEST_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const listed = unknown.slice(0, LISTED_UNKNOWN_FIELDS).map((k) => show(k)).join(', ');
    const more = unknown.length > LISTED_UNKNOWN_FIELDS ? ` and ${unknown.length - LISTED_UNKNOWN_FIELDS} more` : '';
    throw new InvalidInputError(`${where} has unknown field(s) ${listed}${more}; known: ${REQUEST_KEYS.join(', ')}`);
  }
}

function checkInteger(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidInputError(`${field} must be an integer ${range}, got ${show(value)}`);
  }
  return value;
}

function checkSeconds(value: unknown, field: string): number {
  return checkInteger(value, field, MIN_SECONDS, MAX_SECONDS);
}

function mergeTimeouts(fromRequest: unknown, fromDefaults: unknown): UpgradeTimeouts {
  const req = requireObject(fromRequest ?? {}, 'timeouts');
  const def = requireObject(fromDefaults ?? {}, 'defaults.timeouts');
  const out: Record<string, number> = { ...DEFAULT_TIMEOUTS };
  for (const [where, obj] of [['defaults.timeouts', def], ['timeouts', req]] as const) {
    for (const [key, value] of Object.entries(obj)) {
      if (!(TIMEOUT_KEYS as string[]).includes(key)) {
        throw new InvalidInputError(`${where} has unknown field ${show(key)}; known: ${TIMEOUT_KEYS.join(', ')}`);
      }
      if (value !== undefined) out[key] = checkSeconds(value, `${where}.${key}`);
    }
  }
  return out as unknown as UpgradeTimeouts;
}

/**
 * Clone regions: real regions of the home region's partition, never the home region itself, and (when
 * the construct baked its `cloneRegions` in as defaults) only those: the upgrade's IAM policies allow
 * creating volumes and copying snapshots in those regions alone, so any other fails at the copy.
 */
function checkRegions(value: unknown, field: string, homeRegion: string, granted: unknown): string[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`${field} must be an array of region names, got ${show(value)}`);
  if (value.length > PROCEDURE_LIMITS.cloneRegions) {
    throw new InvalidInputError(
      `${field} lists ${value.length} regions, at most ${PROCEDURE_LIMITS.cloneRegions} (each adds to the state machine's state): ${show(value)}`,
    );
  }
  const grantedRegions = Array.isArray(granted) ? granted : undefined;
  const out: string[] = [];
  value.forEach((r, i) => {
    if (typeof r !== 'string' || !REGION.test(r)) {
      const hint = typeof r === 'string' && /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}[a-z]$/.test(r)
        ? ' (that is an availability zone; give its region)'
        : '';
      throw new InvalidInputError(`${field}[${i}] must be a region name like eu-west-1, got ${show(r)}${hint}`);
    }
    if (r === homeRegion) {
      throw new InvalidInputError(`${field}[${i}] is ${show(r)}, the cluster's own region: clones there are made anyway; list only other regions`);
    }
    const partition = partitionOf(r);
    if (partition === undefined) throw new InvalidInputError(`${field}[${i}] is ${show(r)}, which is not an AWS region`);
    const home = partitionOf(homeRegion);
    if (home !== undefined && partition !== home) {
      throw new InvalidInputError(`${field}[${i}] is ${show(r)}, in partition ${partition}; snapshots cannot be copied there from ${homeRegion} (${home})`);
    }
    if (grantedRegions && !grantedRegions.includes(r)) {
      throw new InvalidInputError(
        `${field}[${i}] is ${show(r)}, which is not one of the construct's cloneRegions (${grantedRegions.join(', ') || 'none'}): ` +
        'the upgrade may create volumes only there; add it to the cloneRegions prop and deploy first',
      );
    }
    if (!out.includes(r)) out.push(r);
  });
  return out;
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

function targetVersionOf(image: ImageReference, dockerImage: string, targetVersion: unknown): Neo4jVersion {
  const fromTag = neo4jVersionFromTag(image.tag);
  let explicit: Neo4jVersion | undefined;
  if (targetVersion !== undefined) {
    explicit = typeof targetVersion === 'string' ? parseNeo4jVersion(targetVersion) : undefined;
    if (!explicit || explicit.patch === undefined) {
      throw new InvalidInputError(`targetVersion must be a full Neo4j version like 5.26.2, got ${show(targetVersion)}`);
    }
  }
  const floating = fromTag !== undefined && fromTag.patch === undefined;
  const matches = (a: Neo4jVersion, b: Neo4jVersion) =>
    floating ? a.major === b.major && a.minor === b.minor : compareVersions(a, b) === 0;
  if (fromTag && explicit && !matches(fromTag, explicit)) {
    throw new InvalidInputError(
      `targetVersion ${show(targetVersion)} does not match the version in dockerImage's tag ${show(image.tag)}`,
    );
  }
  if (floating && image.digest === undefined) {
    throw new InvalidInputError(
      `dockerImage ${show(dockerImage)} uses a floating tag (${image.tag}): pin a full version like ` +
      `${fromTag.major}.${fromTag.minor}.N or add @sha256:digest, so every node runs the same build`,
    );
  }
  if (floating && !explicit) {
    throw new InvalidInputError(
      `dockerImage ${show(dockerImage)} is pinned by digest but its tag ${show(image.tag)} gives no patch version; ` +
      'give targetVersion (e.g. 5.26.2)',
    );
  }
  const version = explicit ? { ...explicit, edition: fromTag?.edition ?? explicit.edition } : fromTag;
  if (!version) {
    throw new InvalidInputError(
      `cannot tell the Neo4j version of dockerImage ${show(dockerImage)} from its tag; ` +
      'use a tag that starts with the version (5.26.2-enterprise) or give targetVersion',
    );
  }
  return version;
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
