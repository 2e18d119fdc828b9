import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IClientEndpoint } from '../blue-green/client-endpoint';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';
import { Grants, HandlerName, WILDCARD_REASONS, handlerSpec } from '../private/handler-registry';
import { abortParameterNameOf } from '../private/operator-parameters';
import { acknowledgeWildcards } from '../private/wildcard-acknowledgements';
import { UpgradeHandler } from './upgrade-handler';
import { UpgradeHandlerFunction } from './upgrade-handler-function';
import { IUpgradeTarget } from './upgrade-target';

/** Props of {@link UpgradeHandlers}. */
export interface UpgradeHandlersProps {
  /** What the handlers work on: their IAM is scoped to it. */
  readonly target: IUpgradeTarget;
  /** The lock parameter; the pre-upgrade record, approvals and baselines live under its path. */
  readonly lockParameterName: string;
  /** Topic the approval requests and results go to. */
  readonly notificationTopic: sns.ITopic;
  /**
   * Regions the clone and restore handlers may create volumes and snapshot copies in.
   * @default - only the stack's region
   */
  readonly cloneRegions?: string[];
  /**
   * The client endpoint whose listener the traffic switch (`UpgradeHandler.TRAFFIC_SWITCH`) moves.
   * @default - none: a procedure that uses the traffic switch must give it
   */
  readonly clientEndpoint?: IClientEndpoint;
  /**
   * The metric alarms on green's errors and latency that the bake after a traffic switch watches
   * (`UpgradeHandler.BAKE_WATCH`, `TrafficSwitchWithBake`): an alarm in ALARM switches back to blue.
   * @default - none: a procedure that bakes must give them
   */
  readonly bakeAlarms?: cloudwatch.IAlarm[];
}

/**
 * The Lambda functions of one procedure, created on first use: a procedure deploys only the handlers it
 * uses, each sized, placed and permitted as the library's handler registry declares it.
 */
export class UpgradeHandlers extends Construct {
  /** What the handlers work on. */
  public readonly target: IUpgradeTarget;
  /** The lock parameter. */
  public readonly lockParameterName: string;
  /** The operator's abort request (`<lock>/abort`). */
  public readonly abortParameterName: string;
  /** Topic the approval requests and results go to. */
  public readonly notificationTopic: sns.ITopic;
  /** The client endpoint the traffic switch moves, if given. */
  public readonly clientEndpoint?: IClientEndpoint;
  /** The alarms a bake watches (empty when none were given). */
  public readonly bakeAlarms: cloudwatch.IAlarm[];
  private readonly created = new Map<string, UpgradeHandlerFunction>();

  constructor(scope: Construct, id: string, private readonly props: UpgradeHandlersProps) {
    super(scope, id);
    this.target = props.target;
    this.lockParameterName = props.lockParameterName;
    this.abortParameterName = abortParameterNameOf(props.lockParameterName);
    this.notificationTopic = props.notificationTopic;
    this.clientEndpoint = props.clientEndpoint;
    this.bakeAlarms = props.bakeAlarms ?? [];
    acknowledgeWildcards(this, WILDCARD_REASONS);
  }

  /** The function running `handler`, created (with its permissions) the first time it is asked for. */
  public functionFor(handler: UpgradeHandler): lambda.IFunction {
    const existing = this.created.get(handler.name);
    if (existing) return existing;
    const name = handler.name as HandlerName;
    const spec = handlerSpec(name);
    const target = this.props.target;
    const fn = new UpgradeHandlerFunction(this, pascal(name), {
      handlerName: name,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      vpc: spec.inVpc ? target.vpc : undefined,
    });
    if (spec.inVpc) target.allowClientsFrom(fn);
    spec.grant(new Grants({
      fn, target, lockParameterName: this.props.lockParameterName, topic: this.props.notificationTopic,
      cloneRegions: this.props.cloneRegions ?? [], clientEndpoint: this.props.clientEndpoint,
      bakeAlarms: this.bakeAlarms,
    }));
    acknowledgeRule(fn, awsSolutions('IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
      'The AWS managed basic execution policy only allows writing the function\'s own logs');
    acknowledgeRule(fn, awsSolutions('IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'),
      'The AWS managed VPC access policy is what a function in a VPC needs for its network interfaces');
    this.created.set(name, fn);
    return fn;
  }

  /** The functions created so far, by handler name. */
  public get deployed(): { [handler: string]: lambda.IFunction } {
    return Object.fromEntries(this.created);
  }
}

function pascal(kebab: string): string {
  return kebab.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
