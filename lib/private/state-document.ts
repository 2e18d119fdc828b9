/**
 * The state document every step of a procedure reads and writes: one type for the construct side (which
 * writes JSONPaths into the definition, checked against it by `statePath`) and the handler side (which
 * imports these types only). Nothing here is part of the jsii API.
 */

/** Seconds the state machine applies from the execution input. */
export interface UpgradeTimeouts {
  /** One operator approval (.waitForTaskToken). */
  readonly approvalSeconds: number;
}

/** How the Neo4j path guard classes an upgrade (lambda/shared/neo4j-upgrade-path.ts). */
export type UpgradeKindName = 'same' | 'patch' | 'minor' | 'major' | 'store-format';

/** The resolved plan validate-input returns; every later step reads it at `$.plan`. */
export interface UpgradePlan {
  readonly stackName: string;
  readonly dockerImage: string;
  /** The stack's DockerImage parameter before the upgrade. */
  readonly currentDockerImage: string;
  readonly fromVersion: string;
  /** The version the upgraded nodes must report: from the image's tag, or `targetVersion` for a digest-only image. */
  readonly toVersion: string;
  /** `enterprise`, `community`, or '' when the image does not say. */
  readonly toEdition: string;
  /** Version family ids ('3.5', '4.4', '5', '2025'). */
  readonly fromFamily: string;
  readonly toFamily: string;
  /** The VersionFamily parameter value (Neo4jVersionFamily.id) whose settings the target version starts with. */
  readonly toSettingsFamily: string;
  readonly upgradeKind: string;
  /** The procedure this execution runs: `rolling` or `offline`. */
  readonly procedure: string;
  /** Whether Neo4j supports a rolling upgrade on this version path, and why (or why not). */
  readonly rollingSupported: boolean;
  readonly procedureReason: string;
  /** Main group's desired capacity before the upgrade. */
  readonly currentCapacity: number;
  /** Slave-only nodes that are cluster members before the upgrade (0 when SlaveMode is SINGLE). */
  readonly currentSlaveMembers: number;
  /** Main group size after the upgrade (seed's N). */
  readonly targetCapacity: number;
  /** Slave-only group size after the upgrade. */
  readonly slaveCapacity: number;
  readonly cloneRegions: string[];
  readonly approvalMode: string;
  readonly allowSameVersion: boolean;
  readonly lockTtlSeconds: number;
  readonly timeouts: UpgradeTimeouts;
  readonly comment?: string;
  /** Facts the operator should read (latest-patch advice, edition unknown, ...). Never blocking. */
  readonly warnings: string[];
}

/** A stage's record under `$.progress`. */
export interface StageProgress {
  readonly key?: string;
  readonly name: string;
  readonly seedStep: string;
  readonly startedAt: string;
  readonly endedAt?: string;
}

/** Settings baked at synth from the construct's props. */
export interface ProcedureSettings {
  readonly lockParameterName: string;
  /** `<lock>/abort`: the operator's abort request. */
  readonly abortParameterName: string;
  readonly topicArn: string;
  readonly baselineParameterName: string;
  readonly cloneVolumes: boolean;
  readonly validateMigration: boolean;
  readonly validationPartitions: number;
}

/** A Lambda step's result as the steps keep it (`resultSelector: {Payload.$: $.Payload}`). */
export interface StepResult<T = Record<string, unknown>> {
  readonly Payload: T;
}

export interface UpgradeStateDocument {
  /** The operator's execution input, as given. */
  readonly request: Record<string, unknown>;
  /** The target as the handlers see it (lambda/shared/context.ts). */
  readonly cluster: Record<string, unknown>;
  /** Execution-input defaults from the construct's props. */
  readonly defaults: Record<string, unknown>;
  readonly settings: ProcedureSettings;
  readonly planResult: StepResult<UpgradePlan>;
  readonly plan: UpgradePlan;
  readonly progress: {
    readonly pastPointOfNoReturn: boolean;
    readonly current: StageProgress;
    readonly completed: Record<string, StageProgress>;
  };
  /** Per stage key, each step's result. */
  readonly results: Record<string, Record<string, StepResult>>;
  readonly preUpgrade: StepResult<{ readonly parameters: Record<string, string> }>;
  readonly master: StepResult<{ readonly instanceId: string; readonly volumeId: string; readonly availabilityZone: string }>;
  readonly snapshots: {
    readonly preUpgrade: StepResult<{ readonly snapshots: unknown[] }>;
    readonly cloneSource: StepResult<{ readonly snapshots: Array<{ readonly snapshotId: string }> }>;
    /** The offline upgrade's snapshot of the migrated store, which every other server receives a copy of. */
    readonly migrated: StepResult<{ readonly snapshots: Array<{ readonly snapshotId: string }> }>;
    readonly postUpgrade: StepResult<{ readonly snapshots: unknown[] }>;
  };
  readonly volumes: Record<string, unknown>;
  readonly clonePlan: StepResult<{ readonly regions: unknown[] }>;
  readonly validation: {
    readonly baseline: StepResult;
    readonly compare: StepResult;
    /** The partition snapshots of the pass running now (emptied once combined). */
    readonly partials: { readonly snapshots: unknown[] };
    readonly partitionIndexes: { readonly indexes: number[] };
  };
  readonly error: { readonly Error: string; readonly Cause: string };
  readonly result: StepResult;
}

type Join<K, P> = K extends string ? (P extends string ? `${K}.${P}` : never) : never;
type Prev = [never, 0, 1, 2, 3];
/** Dotted paths into T, three levels deep; records allow any key. */
export type StatePaths<T, D extends number = 3> = [D] extends [never] ? never : T extends object
  ? { [K in keyof T & string]: K | Join<K, StatePaths<NonNullable<T[K]>, Prev[D]>> }[keyof T & string]
  : never;

/** `$.<path>` into the state document; a path the document does not have does not compile. */
export function statePath(path: StatePaths<UpgradeStateDocument>): string {
  return `$.${path}`;
}
