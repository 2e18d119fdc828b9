/** Public types of the rehearsal: options, fault plans and the report. */

/** What a fault does to one task state. */
import type { DetectionLagReport } from './detection-lag';
import type { LambdaUsage } from './task-runner';
import type { WaitCompletionModel } from './wait-episodes';
import type { ClientWorkloadReport } from './workload/workload-report';
export type FaultKind =
  /** (a) the handler throws a non-retryable named error instead of running. */
  | 'handler-error'
  /** (b) the handler's first AWS call answers ThrottlingException once; the retry runs the real handler. */
  | 'throttle'
  /** (c) the stack update this wait polls ends in UPDATE_ROLLBACK_COMPLETE (stack-status waits only). */
  | 'stack-rollback'
  /** (d) the operator rejects the approval (send-task-failure ApprovalRejected). */
  | 'approval-reject'
  /** (d) nobody answers the approval: the task's own timeout (TimeoutSecondsPath) fires. */
  | 'approval-timeout'
  /**
   * (e) an operator asks this execution to abort: right before the state's handler runs, the harness
   * writes the abort request to the abort parameter through moto's SSM, as the operator CLI does.
   */
  | 'operator-abort'
  /**
   * (f) the handler throws TransientAwsError at every attempt until the task's transient Retry is spent
   * (the first call and each retry), so the failure reaches the Catch; the next invocation runs normally.
   */
  | 'outlast-retries'
  /**
   * (g) the task's Lambda (the harness's task runner plays the Lambda service) returns its real result
   * padded past Step Functions' 256 KiB payload quota: States.DataLimitExceeded, which States.ALL does
   * not catch, so the execution ends FAILED at that state (what `upgrade redrive` continues from).
   */
  | 'oversized-result';

export interface FaultSpec {
  readonly kind: FaultKind;
  /** The task state, as the synthesized definition names it. */
  readonly state: string;
}

/** Where a fault run's first fault hits, for choosing runs. */
export interface FaultTarget {
  readonly state: string;
  readonly handler: string;
  /** After the state that marks the point of no return (the restore path must run). */
  readonly afterPointOfNoReturn: boolean;
  /** Before the state machine took the upgrade lock. */
  readonly beforeLock: boolean;
}

/** One execution of the fault matrix: the faults injected into it and what it must end as. */
export interface FaultRun {
  readonly name: string;
  readonly target?: FaultTarget;
  readonly faults: FaultSpec[];
  /** Input overrides for this run (e.g. a 60 s approval timeout for approval-timeout). */
  readonly input?: Record<string, unknown>;
  /** succeeded: retries must absorb the faults; rolled-back: the run must end safely rolled back or refused. */
  readonly expect: 'succeeded' | 'rolled-back';
}

/**
 * `all`: the whole matrix built from the synthesized state machine; explicit runs; or a selection from
 * the whole matrix (e.g. a representative slice).
 */
export type FaultPlan = 'all' | FaultRun[] | ((matrix: FaultRun[]) => FaultRun[]);

export interface RehearsalOptions {
  /** CDK app entry. Default: tools/rehearsal/example-app.ts. */
  readonly app?: string;
  /**
   * Execution input, any JSON, passed to the execution as it is (null, a string or an array included:
   * the state machine must refuse those itself). Default, only when absent:
   * {"dockerImage": "neo4j:<NEO4J_NEWEST_VERSION>-enterprise"}.
   */
  readonly input?: unknown;
  /** Also run a fault matrix (after the happy path). */
  readonly faults?: FaultPlan;
  /** Where report.json goes. Default: <repo>/rehearsal. */
  readonly outDir?: string;
  /** Live progress lines. Default: console.log. */
  readonly progress?: (line: string) => void;
  /** Parallel fault runs (each with its own moto_server). Default 2. */
  readonly workers?: number;
  /** Skip the happy path (only with faults). Default false. */
  readonly skipHappyPath?: boolean;
  /** Also start a second execution while the first holds the lock. Default true. */
  readonly lockContention?: boolean;
  /** When each wait's condition becomes true (wait-episodes.ts). Default DEFAULT_WAIT_COMPLETION. */
  readonly waitCompletion?: WaitCompletionModel;
  /** Extra synth context for the app (e.g. `waitDetection=retry-backoff` for the example app's polling baseline). */
  readonly context?: Record<string, string>;
  /**
   * Runs instead of the happy path, with the deployment open: the caller starts the executions
   * (e.g. through the Step Functions front, sfn-front.ts). See session.ts.
   */
  readonly operate?: (session: import('./session').RehearsalSession) => Promise<void>;
}

export type StageStatus = 'succeeded' | 'failed' | 'not-started' | 'running';

export interface StageReport {
  readonly key: string;
  readonly name: string;
  readonly seedStep: string;
  status: StageStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

export interface VolumeSummary {
  readonly volumeId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly name?: string;
  readonly state?: string;
  readonly snapshotId?: string;
  /** How it is provisioned: a clone or restored volume must match the volume it copies. */
  readonly volumeType?: string;
  readonly sizeGiB?: number;
  readonly iops?: number;
  readonly throughput?: number;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
}

export interface InventoryItems {
  readonly volumes: VolumeSummary[];
  readonly snapshots: SnapshotSummary[];
}

export interface SnapshotSummary {
  readonly snapshotId: string;
  readonly region: string;
  readonly volumeId?: string;
  readonly purpose?: string;
  readonly state?: string;
  readonly tags: Record<string, string>;
}

export interface Simulated {
  readonly what: string;
  readonly why: string;
  count: number;
}

export type Outcome = 'succeeded' | 'rolled-back' | 'refused' | 'unsafe';

export interface ExecutionReport {
  readonly name: string;
  readonly executionArn: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The terminal state the execution ended in (Succeed or Fail state name). */
  readonly endState?: string;
  /** The first state whose failure was caught (where the failure path began). */
  readonly failedState?: string;
  readonly error?: { name: string; message: string };
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly stages: StageReport[];
  readonly parametersBefore: Record<string, string>;
  readonly parametersAfterStage: Record<string, Record<string, string>>;
  readonly finalParameters: Record<string, string>;
  readonly volumes: { before: number; after: number; renamed: VolumeSummary[]; created: VolumeSummary[]; deleted: VolumeSummary[] };
  readonly snapshots: { preUpgrade: SnapshotSummary[]; clones: SnapshotSummary[]; postUpgrade: SnapshotSummary[]; other: SnapshotSummary[]; deleted: SnapshotSummary[] };
  /** Every volume of the environment and every library snapshot, before and after (e.g. another cluster's, to prove them untouched). */
  readonly inventory: { before: InventoryItems; after: InventoryItems };
  readonly lock: { parameterName: string; heldAtEnd: boolean; holder?: string };
  /** With an (e) fault: the abort request the harness wrote, and whether it was still there at the end (not consumed). */
  readonly abortRequest?: { parameterName: string; requestedBefore: string; leftAtEnd: boolean };
  readonly pastPointOfNoReturn: boolean;
  /** Past the point of no return: one claimable volume per pre-upgrade snapshot. */
  readonly restore?: { snapshots: number; restoredClaimable: number; missing: string[]; claimedByNewNodes: number };
  readonly counts: {
    stateTransitions: number; retries: number; caught: number; awsApiCalls: number; awsApiCallsByHandler: Record<string, number>; awsApiCallsByOperation: Record<string, number>;
    /** The largest state input, state output or task result (UTF-8 bytes of its JSON; Step Functions allows 262144). */
    largestStateBytes: number;
    /** Where it was: state name and which payload, e.g. `Preflight (output)`. */
    largestState?: string;
    /** History events as Step Functions would log them (it fails an execution at 25000). */
    historyEvents: number;
    /** Per Map state: its MaxConcurrency and the most iterations one of its runs had in flight. */
    mapConcurrency: Record<string, { maxConcurrency?: number; peak: number }>;
    /** What Lambda would bill the execution's invocations: waits at the duration their clocks played. */
    lambda: LambdaUsage;
  };
  /** Per wait: from its condition becoming true to the next state's start. */
  readonly detectionLag: DetectionLagReport;
  readonly outcome: Outcome;
  readonly problems: string[];
  readonly bootedNodes: number;
}

export interface FaultRunReport {
  readonly name: string;
  readonly faults: FaultSpec[];
  readonly expect: 'succeeded' | 'rolled-back';
  readonly injected: number;
  readonly fired: number;
  /** Whether the run's first fault fired (its state ran). */
  readonly reached: boolean;
  readonly outcome: Outcome;
  readonly survived: boolean;
  readonly asExpected: boolean;
  readonly endState?: string;
  readonly error?: { name: string; message: string };
  readonly durationMs: number;
  /** How the run's stack came to be: a fresh deploy, or the restored snapshot of one. */
  readonly startedFrom: string;
  readonly volumesLost: number;
  readonly snapshotsLost: number;
  readonly problems: string[];
  readonly execution: ExecutionReport;
}

export interface RehearsalReport {
  readonly version: 1;
  readonly app: string;
  /** The stack holding the state machine. */
  readonly stackName: string;
  /** Every stack of the app, in the order the rehearsal deployed them (dependencies first). */
  readonly stacks: string[];
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly verdict: string[];
  readonly input: unknown;
  readonly synth: { command: string[]; durationMs: number; context: Record<string, string> };
  readonly deploy: { durationMs: number };
  readonly emulatorAdaptations: Array<{ what: string; why: string }>;
  readonly simulated: Simulated[];
  readonly neo4j: { played: unknown[]; storeChecks: unknown[] };
  /** `upgrades`: the cluster the state machine upgrades (its admin secret plays the real Neo4j). */
  readonly stateMachine: { upgrades: { environmentName?: string; stackName?: string; secretLogicalId?: string }; taskStates: number; stages: string[]; pointOfNoReturn?: string };
  readonly contractFindings: string[];
  // The happy path (absent with skipHappyPath).
  readonly stages?: StageReport[];
  readonly parametersAfterStage?: Record<string, Record<string, string>>;
  readonly finalParameters?: Record<string, string>;
  readonly volumes?: ExecutionReport['volumes'];
  readonly snapshots?: ExecutionReport['snapshots'];
  readonly counts?: { stateTransitions: number; awsApiCalls: number; retries: number; awsApiCallsByHandler: Record<string, number>; awsApiCallsByOperation: Record<string, number>; harnessApiCalls: number };
  readonly happyPath?: ExecutionReport;
  /** The happy path's client workload (one writer, one reader): per stage, when writes failed and what was lost. */
  readonly clientWorkload?: ClientWorkloadReport;
  readonly lockContention?: { ran: boolean; status?: string; endState?: string; error?: { name: string; message: string }; changedAnything?: boolean; details?: string[] };
  readonly faults?: {
    injected: number;
    survived: number;
    volumesLost: number;
    snapshotsLost: number;
    runs: number;
    asExpected: number;
    unexpected: Array<{ run: string; outcome: Outcome; endState?: string; problems: string[] }>;
    durationMs: number;
    results: FaultRunReport[];
  };
}
