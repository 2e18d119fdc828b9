import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WILDCARD_REASONS } from '../private/handler-registry';
import { acknowledgeWildcards } from '../private/wildcard-acknowledgements';

/** Props of {@link UpgradeStateMachine}. */
export interface UpgradeStateMachineProps {
  /** The procedure, from its first state. */
  readonly definition: sfn.IChainable;
  /** Shown in the console. */
  readonly comment: string;
}

/**
 * A procedure as a Standard state machine in JSONPath, traced, with every execution's events and data
 * logged to a retained log group.
 */
export class UpgradeStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: UpgradeStateMachineProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention: logs.RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: props.comment,
    });
    acknowledgeWildcards(this, WILDCARD_REASONS);
  }
}
