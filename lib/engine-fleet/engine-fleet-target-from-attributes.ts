import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Neo4jUpgradesValidationError } from '../errors';
import { UpgradeNodeGroup } from '../toolkit/upgrade-target';
import { DatabaseSnapshot } from './database-snapshot';
import { EngineFleetTargetAttributes } from './engine-fleet-target-attributes';
import { IEngineFleetTarget } from './engine-fleet-target';
import { EngineNode } from './engine-node';
import { SchemaTask } from './schema-task';

/** An engine fleet on ECS behind an ALB target group, as a schema-first rolling upgrade target. */
export class EngineFleetTarget {
  /** A fleet deployed by another stack or by hand. */
  public static fromAttributes(scope: Construct, id: string, attrs: EngineFleetTargetAttributes): IEngineFleetTarget {
    return new ImportedEngineFleet(scope, id, attrs);
  }

  private constructor() {}
}

class ImportedEngineFleet extends Construct implements IEngineFleetTarget {
  public readonly stackName: string;
  public readonly stackParameters: { [role: string]: string } = {};
  public readonly nodeGroups: UpgradeNodeGroup[];
  public readonly ecsClusterName: string;
  public readonly vpc: ec2.IVpc;
  public readonly passedRoleArns: string[];
  public readonly targetName: string;
  public readonly credentials: secretsmanager.ISecret;
  public readonly nodes: EngineNode[];
  public readonly targetGroupArn: string;
  public readonly enginePort: number;
  public readonly engineContainerName: string;
  public readonly databaseSecret: secretsmanager.ISecret;
  public readonly databaseSnapshot: DatabaseSnapshot;
  public readonly schemaTask: SchemaTask;
  private readonly engineSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, attrs: EngineFleetTargetAttributes) {
    super(scope, id);
    this.validate(attrs);
    this.stackName = attrs.stackName;
    this.targetName = attrs.fleetName;
    this.ecsClusterName = attrs.ecsClusterName;
    this.vpc = attrs.vpc;
    this.passedRoleArns = attrs.passedRoleArns;
    this.nodes = attrs.nodes;
    // Each node is a group of the generic target (its own service): IAM and the services checks see them all.
    this.nodeGroups = attrs.nodes.map((n) => ({ role: n.nodeId, ecsServiceName: n.ecsServiceName }));
    this.targetGroupArn = attrs.targetGroupArn;
    this.enginePort = attrs.enginePort ?? 8080;
    this.engineContainerName = attrs.engineContainerName ?? 'camunda';
    this.databaseSecret = attrs.databaseSecret;
    this.credentials = attrs.databaseSecret;
    this.databaseSnapshot = attrs.databaseSnapshot;
    this.schemaTask = attrs.schemaTask;
    this.engineSecurityGroup = attrs.engineSecurityGroup;
  }

  /** The handlers that ask the nodes directly (the engine check) reach them on the engine port. */
  public allowClientsFrom(peer: ec2.IConnectable): void {
    this.engineSecurityGroup?.connections.allowFrom(peer, ec2.Port.tcp(this.enginePort), 'The upgrade procedure\'s engine check');
  }

  private validate(a: EngineFleetTargetAttributes): void {
    if (a.nodes.length < 2) throw new Neo4jUpgradesValidationError('nodes', `${a.nodes.length} node(s)`, 'a rolling upgrade needs at least two nodes (one group stays in service)');
    const ids = new Set<string>();
    for (const [i, n] of a.nodes.entries()) {
      for (const field of ['nodeId', 'ecsServiceName'] as const) {
        if (!Token.isUnresolved(n[field]) && (typeof n[field] !== 'string' || n[field].trim() === '')) {
          throw new Neo4jUpgradesValidationError(`nodes[${i}].${field}`, JSON.stringify(n[field]), 'must be a non-empty string');
        }
      }
      if (ids.has(n.nodeId)) throw new Neo4jUpgradesValidationError(`nodes[${i}].nodeId`, JSON.stringify(n.nodeId), 'is given twice');
      ids.add(n.nodeId);
    }
    const port = a.enginePort;
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new Neo4jUpgradesValidationError('enginePort', String(port), 'must be a TCP port (1-65535)');
    }
    if (a.passedRoleArns.length === 0) throw new Neo4jUpgradesValidationError('passedRoleArns', '[]', 'needs at least one role (the task role the new task definitions pass)');
    if (a.schemaTask.subnets.length === 0) throw new Neo4jUpgradesValidationError('schemaTask.subnets', '[]', 'needs at least one subnet');
    const type = a.schemaTask.databaseType;
    if (type !== undefined && !/^[a-z0-9]+$/.test(type)) {
      throw new Neo4jUpgradesValidationError('schemaTask.databaseType', JSON.stringify(type), 'must be a Camunda database name like postgres');
    }
  }
}
