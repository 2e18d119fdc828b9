/**
 * The checks on an execution input that need no AWS call: its shape, the image reference and target
 * version, and every field's type and range (capacities, regions, timeouts, lock TTL, comment), with the
 * construct's baked defaults applied. validate-input runs them before it reads the stack; the operator
 * CLI (`upgrade start`) runs the same ones before it starts an execution.
 */
import { PROCEDURE_LIMITS, jsonBytes } from '../../lib/private/procedure-limits';
import { partitionOf } from '../shared/aws-regions';
import { InvalidInputError } from '../shared/errors';
import { ImageReference, Neo4jVersion, compareVersions, neo4jVersionFromTag, parseImageReference, parseNeo4jVersion } from '../shared/image-reference';
import { show } from '../shared/input-checks';
import { checkInputSize } from '../shared/input-size';
import {
  APPROVAL_MODES, ApprovalMode, DEFAULT_APPROVAL_MODE, DEFAULT_LOCK_TTL_SECONDS, DEFAULT_TIMEOUTS, UpgradeRequest, UpgradeTimeouts,
} from './plan';

/** Every field the execution input may have. */
export const REQUEST_KEYS: readonly (keyof UpgradeRequest)[] = [
  'dockerImage', 'targetVersion', 'fromVersion', 'targetCapacity', 'slaveCapacity', 'cloneRegions', 'approvalMode',
  'allowSameVersion', 'lockTtlSeconds', 'timeouts', 'comment', 'procedure',
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

/** A field's value and where it came from: `targetCapacity`, or `defaults.targetCapacity` (the construct's props). */
export interface PickedField {
  readonly value: unknown;
  readonly field: string;
}

/** The execution input checked, with the defaults applied; what needs the stack comes later. */
export interface CheckedRequest {
  readonly request: UpgradeRequest;
  readonly dockerImage: string;
  readonly toVersion: Neo4jVersion;
  readonly approvalMode: ApprovalMode;
  readonly allowSameVersion: boolean;
  readonly cloneRegions: string[];
  readonly timeouts: UpgradeTimeouts;
  readonly lockTtlSeconds: number;
  readonly comment: PickedField;
  /** Checked integers when given; the stack's values stand in for them otherwise. */
  readonly targetCapacity: PickedField;
  readonly slaveCapacity: PickedField;
}

/**
 * Checks the execution input `request` against the construct's `defaults` (which it overrides), for a
 * cluster in `homeRegion`. Throws InvalidInputError naming the field and the value it got.
 */
export function checkRequest(requestValue: unknown, defaultsValue: unknown, homeRegion: string): CheckedRequest {
  const request = requireExecutionInput(requestValue) as UpgradeRequest;
  const defaults = requireObject(defaultsValue ?? {}, 'defaults') as UpgradeRequest;
  rejectUnknownKeys(request, 'request');
  rejectUnknownKeys(defaults, 'defaults');
  if (defaults.dockerImage !== undefined) {
    throw new InvalidInputError(`defaults.dockerImage is not allowed (the image is chosen per execution), got ${show(defaults.dockerImage)}`);
  }

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

  const pick = <K extends keyof UpgradeRequest>(key: K): PickedField =>
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
  const regions = pick('cloneRegions');
  const cloneRegions = checkRegions(regions.value ?? [], regions.field, homeRegion, defaults.cloneRegions);
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
  const targetCapacity = pick('targetCapacity');
  if (targetCapacity.value !== undefined) checkInteger(targetCapacity.value, targetCapacity.field, 1, PROCEDURE_LIMITS.mainMembers);
  const slaveCapacity = pick('slaveCapacity');
  if (slaveCapacity.value !== undefined) checkInteger(slaveCapacity.value, slaveCapacity.field, 0, PROCEDURE_LIMITS.slaveMembers);

  // Every field is checked on its own above; the input as a whole is bounded too (it stays at `$.request`).
  checkInputSize(request);

  return {
    request, dockerImage, toVersion, approvalMode, allowSameVersion: same.value === true, cloneRegions, timeouts, lockTtlSeconds,
    comment, targetCapacity, slaveCapacity,
  };
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

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${field} must be an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
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
