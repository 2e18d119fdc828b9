import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { abortParameterNameOf } from '../../private/operator-parameters';

/** Props of {@link UpgradeStart}. */
export interface UpgradeStartProps {
  /**
   * What every handler knows about the target (`$.cluster`), baked at synth, e.g.
   * `Neo4jTaskContext.of(cluster, boltUri)`.
   */
  readonly target: { [key: string]: unknown };
  /** The lock parameter (`$.settings.lockParameterName`); records, approvals and baselines live under it. */
  readonly lockParameterName: string;
  /** Where approval requests and results go (`$.settings.topicArn`). */
  readonly notificationTopic: sns.ITopic;
  /**
   * Execution-input values from the construct's props; the operator's input overrides them.
   * @default - none
   */
  readonly defaults?: { [key: string]: unknown };
  /**
   * Further settings the procedure's blocks read under `$.settings` (validation, cloning, baselines).
   * @default - none
   */
  readonly settings?: { [key: string]: unknown };
}

/**
 * The first state: keeps the operator's input at `$.request` and lays out the state document the blocks
 * share (target, defaults, settings, progress, and the snapshot and volume records the result and the
 * rollback always read).
 */
export class UpgradeStart extends sfn.Pass {
  constructor(scope: Construct, id: string, props: UpgradeStartProps) {
    super(scope, id, {
      parameters: {
        'request.$': '$',
        cluster: props.target,
        defaults: props.defaults ?? {},
        settings: {
          ...props.settings, lockParameterName: props.lockParameterName, topicArn: props.notificationTopic.topicArn,
          abortParameterName: abortParameterNameOf(props.lockParameterName),
        },
        progress: { pastPointOfNoReturn: false, completed: {} },
        snapshots: {},
        volumes: {},
      },
    });
  }
}
