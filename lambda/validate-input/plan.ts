/**
 * When the upgrade pauses for an operator (request-approval + .waitForTaskToken); the values of the
 * construct's ApprovalMode: never, or once after the master's store upgrade (seed step 3).
 */
export const APPROVAL_MODES = ['none', 'after-store-upgrade'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export type { UpgradePlan, UpgradeTimeouts } from '../../lib/private/state-document';
import type { UpgradeTimeouts } from '../../lib/private/state-document';

export const DEFAULT_TIMEOUTS: UpgradeTimeouts = {
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
  /**
   * `offline` runs the offline procedure even where Neo4j could roll; `rolling` is refused where Neo4j
   * cannot roll (a store-format change). Default: the procedure the state machine runs.
   */
  readonly procedure?: string;
}

export { DEFAULT_LOCK_TTL_SECONDS } from '../shared/lock-defaults';
export const DEFAULT_APPROVAL_MODE: ApprovalMode = 'after-store-upgrade';
