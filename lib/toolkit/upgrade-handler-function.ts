import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { packageRoot } from '../private/package-root';

/** Props of {@link UpgradeHandlerFunction}. */
export interface UpgradeHandlerFunctionProps {
  /** Folder name of the handler under `lambda/` (and of its bundle under `assets/lambda/`). */
  readonly handlerName: string;
  /**
   * Timeout of one invocation.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Memory size in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * VPC to run in, for handlers that reach the database over Bolt.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Security groups, with `vpc`.
   * @default - a new security group when `vpc` is given
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * A Lambda function running one of the library's pre-bundled handlers (`assets/lambda/<name>`), built
 * by `npm run build` with esbuild, so consumers need neither esbuild nor Docker at synth.
 */
export class UpgradeHandlerFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: UpgradeHandlerFunctionProps) {
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDirectory(props.handlerName)),
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 256,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : undefined,
      securityGroups: props.securityGroups,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, {
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      description: `cdk-neo4j-ecs-upgrades: ${props.handlerName}`,
    });
  }
}

function bundleDirectory(handlerName: string): string {
  const dir = path.join(packageRoot(), 'assets', 'lambda', handlerName);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Neo4jUpgradesValidationError('handlerName', `'${handlerName}'`,
      `no bundle at ${dir}; run \`npm run bundle\` (or \`npm run build\`) in the library first`);
  }
  return dir;
}
