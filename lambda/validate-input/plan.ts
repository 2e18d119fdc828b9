import { UpgradeKind } from '../shared/neo4j-upgrade-path';

/**
 * When the upgrade pauses for an operator (request-approval + .waitForTaskToken); the values of the
 * construct's ApprovalMode: never, or once after the master's store upgrade (seed step 3).
 */
export const APPROVAL_MODES = ['none', 'after-store-upgrade'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** Per-step limits the state machine applies (TimeoutSecondsPath, Retry budgets). Seconds. */
export interface UpgradeTimeouts {
  /** One UpdateStack until a *_COMPLETE status. */
  readonly stackUpdateSeconds: number;
  /** ECS services back to one PRIMARY deployment with runningCount == desiredCount. */
  readonly servicesSteadySeconds: number;
  /** A database health gate. */
  readonly healthGateSeconds: number;
  /** One operator approval (.waitForTaskToken). */
  readonly approvalSeconds: number;
}

export const DEFAULT_TIMEOUTS: UpgradeTimeouts = {
  stackUpdateSeconds: 3600,
  servicesSteadySeconds: 1800,
  healthGateSeconds: 1800,
  approvalSeconds: 86400,
};

/** What an operator may put in the execution input (and the construct in `defaults`). */
export interface UpgradeRequest {
  /** Required, never from defaults: `repo:tag`, `repo@sha256:...` or both; not `latest`. */
  readonly dockerImage?: string;
  /** Needed only when the tag carries no version (digest-only); must match the tag otherwise. */
  readonly targetVersion?: string;
  /** Needed only when the stack's current DockerImage tag carries no version. */
  readonly fromVersion?: string;
  /** Main cluster size after the upgrade (seed's N). Default: the stack's current DesiredCapacity. */
  readonly targetCapacity?: number;
  /** Slave-only group size after the upgrade. Default: the stack's current slave desired capacity. */
  readonly slaveCapacity?: number;
  /** Regions (`eu-west-1`) that receive copies of the migrated volume's snapshot. Default []. */
  readonly cloneRegions?: string[];
  /** Default 'after-store-upgrade'. */
  readonly approvalMode?: ApprovalMode;
  /** Re-run with the version already running (e.g. a rebuilt image). Default false. */
  readonly allowSameVersion?: boolean;
  /** How long the upgrade lock lives without release. Default 172800 (2 days); > approvalSeconds. */
  readonly lockTtlSeconds?: number;
  readonly timeouts?: Partial<UpgradeTimeouts>;
  /** Free text carried into the result notification. */
  readonly comment?: string;
}

export const DEFAULT_LOCK_TTL_SECONDS = 172800;
export const DEFAULT_APPROVAL_MODE: ApprovalMode = 'after-store-upgrade';

/** The resolved plan every later task reads. */
export interface UpgradePlan {
  readonly stackName: string;
  readonly dockerImage: string;
  /** The stack's DockerImage parameter before the upgrade. */
  readonly currentDockerImage: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** '3.5', '4.4', '5', '2025' (see versionFamily). */
  readonly fromFamily: string;
  readonly toFamily: string;
  readonly upgradeKind: UpgradeKind;
  readonly targetCapacity: number;
  readonly slaveCapacity: number;
  readonly cloneRegions: string[];
  /** The same regions in the form plan-clone-targets takes as `extraRegions` (each: all its AZs). */
  readonly cloneRegionZones: string[];
  /** Members each stage's health gate expects (see ExpectedMembers). */
  readonly expectedMembers: ExpectedMembers;
  /** Whether the slave-only node counts as a member at each stage's health gate (SlaveMode not SINGLE). */
  readonly slaveIsMember: SlaveMembership;
  readonly approvalMode: ApprovalMode;
  readonly allowSameVersion: boolean;
  readonly lockTtlSeconds: number;
  readonly timeouts: UpgradeTimeouts;
  readonly comment?: string;
  /** Facts the operator should read (latest-patch advice, edition unknown, ...). Never blocking. */
  readonly warnings: string[];
}

/**
 * Cluster members the health gate of each stage expects, from the stack before the upgrade (main
 * DesiredCapacity M, slave desired capacity S, SlaveMode) and the plan (N = targetCapacity,
 * slaveCapacity S'). The slave-only node counts as a member while its SlaveMode is not SINGLE.
 */
export interface ExpectedMembers {
  /** Seed step 1, image rolled, nothing else changed: M (+ S when SlaveMode is not SINGLE). */
  readonly rollImage: number;
  /** Step 2, Mode=SINGLE, one instance: 1. */
  readonly singleMaster: number;
  /** Step 4, Mode=HA with the single master, SlaveMode still SINGLE: 1. */
  readonly backToHa: number;
  /** Step 7, main group at N, SlaveMode still SINGLE: N. */
  readonly scaleOut: number;
  /** Step 8, SlaveMode=HA: N + S'. */
  readonly slaveBackToHa: number;
}

/**
 * Per stage, whether the slave-only group's instances are cluster members. Where a gate's server is
 * standalone (no topology to read), the member count falls back to the running instances, and a
 * slave-only node in SlaveMode SINGLE is its own cluster, not a member.
 */
export type SlaveMembership = { readonly [stage in keyof ExpectedMembers]: boolean };
