import { Duration } from 'aws-cdk-lib';
import { PollingPlan, pollingPlan } from './retry-policy';
import { WaitDetection } from './wait-detection';

/** Props of {@link ProcedurePolling}. */
export interface ProcedurePollingProps {
  /**
   * How long a stack update may take before the stage fails into rollback.
   * @default Duration.hours(1)
   */
  readonly stackUpdateTimeout?: Duration;
  /**
   * How long the ECS services may take to become steady.
   * @default Duration.minutes(30)
   */
  readonly servicesSteadyTimeout?: Duration;
  /**
   * How long a health gate keeps retrying before the stage fails.
   * @default Duration.minutes(30)
   */
  readonly healthGateTimeout?: Duration;
  /**
   * How long snapshots may take to complete.
   * @default Duration.hours(6)
   */
  readonly snapshotTimeout?: Duration;
  /**
   * How the waits notice that what they wait for has happened.
   * @default WaitDetection.LOOK_EVERY_SECOND
   */
  readonly waitDetection?: WaitDetection;
}

/**
 * The polling budgets of one procedure's waits, each a Retry plan on StillInProgressError; with
 * `WaitDetection.LOOK_EVERY_SECOND` the handlers that can look within one invocation do so every second.
 */
export class ProcedurePolling {
  /** A stack update until *_COMPLETE. */
  public readonly stack: PollingPlan;
  /** ECS services until steady. */
  public readonly services: PollingPlan;
  /** A health gate until it passes. */
  public readonly gate: PollingPlan;
  /** Snapshots (and snapshot copies) until completed. */
  public readonly snapshots: PollingPlan;

  constructor(props: ProcedurePollingProps = {}) {
    const lookEvery = (props.waitDetection ?? WaitDetection.LOOK_EVERY_SECOND).lookEvery;
    this.stack = pollingPlan({ timeout: props.stackUpdateTimeout ?? Duration.hours(1), lookEvery });
    this.services = pollingPlan({ timeout: props.servicesSteadyTimeout ?? Duration.minutes(30), lookEvery });
    this.gate = pollingPlan({ timeout: props.healthGateTimeout ?? Duration.minutes(30), interval: Duration.seconds(5), lookEvery });
    this.snapshots = pollingPlan({
      timeout: props.snapshotTimeout ?? Duration.hours(6), interval: Duration.seconds(5), maxDelay: Duration.seconds(60), lookEvery,
    });
  }
}
