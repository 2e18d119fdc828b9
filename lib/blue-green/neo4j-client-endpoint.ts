import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { Neo4jCluster } from '../cluster/neo4j-cluster';
import { Neo4jUpgradesValidationError } from '../errors';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';
import { IClientEndpoint } from './client-endpoint';

/** Props of {@link Neo4jClientEndpoint}. */
export interface Neo4jClientEndpointProps {
  /** The cluster whose nodes serve as blue (the running version). */
  readonly cluster: Neo4jCluster;
  /**
   * How long a node leaving a target group keeps its open connections (0 to 3600 seconds).
   * @default - 30 seconds
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Where the load balancer's nodes go (internal: clients reach it from the VPC).
   * @default - the VPC's private subnets
   */
  readonly subnets?: ec2.SubnetSelection;
}

/**
 * The cluster's stable Bolt endpoint: an internal Network Load Balancer with a TCP listener on 7687 and
 * one target group per colour. Blue holds the cluster's nodes (both Auto Scaling groups are attached) and
 * gets the traffic; green stays empty until a blue/green procedure registers the new version's nodes, and
 * the traffic switch (`UpgradeHandler.TRAFFIC_SWITCH`) moves the listener from one to the other, whole or
 * in weighted steps (weighted target groups); new connections follow it, open ones stay on the colour
 * they reached until they close.
 */
export class Neo4jClientEndpoint extends Construct implements IClientEndpoint {
  /** The internal load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The Bolt listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The running version's nodes. */
  public readonly blueTargetGroup: elbv2.NetworkTargetGroup;
  /** The new version's nodes, registered by a later procedure. */
  public readonly greenTargetGroup: elbv2.NetworkTargetGroup;
  public readonly listenerArn: string;
  public readonly boltUri: string;
  public readonly targetGroupArns: { [colour: string]: string };

  constructor(scope: Construct, id: string, props: Neo4jClientEndpointProps) {
    super(scope, id);
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
    this.validate(deregistrationDelay);
    const cluster = props.cluster;
    const port = cluster.boltPort;

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc, description: 'Neo4j client endpoint: Bolt from the VPC', allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(cluster.vpc.vpcCidrBlock), ec2.Port.tcp(port), 'Bolt from the VPC');
    acknowledgeRule(securityGroup, awsSolutions('EC23'),
      'Inbound Bolt comes from the VPC CIDR (a token, which the rule cannot evaluate), never 0.0.0.0/0');
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: cluster.vpc, internetFacing: false, crossZoneEnabled: true, securityGroups: [securityGroup],
      vpcSubnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    // Health checks and forwarded connections go from the load balancer's group to the nodes' Bolt port only.
    cluster.securityGroup.connections.allowFrom(securityGroup, ec2.Port.tcp(port), 'Bolt from the client endpoint');
    acknowledgeRule(this.loadBalancer, awsSolutions('ELB2'),
      'A Network Load Balancer writes access logs only for TLS listeners; this one has a TCP (Bolt) listener, so a log bucket would stay empty');

    const targetGroup = (colour: string) => new elbv2.NetworkTargetGroup(this, colour, {
      vpc: cluster.vpc, port, protocol: elbv2.Protocol.TCP, targetType: elbv2.TargetType.INSTANCE,
      deregistrationDelay, healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
    });
    this.blueTargetGroup = targetGroup('Blue');
    this.greenTargetGroup = targetGroup('Green');
    cluster.mainAutoScalingGroup.attachToNetworkTargetGroup(this.blueTargetGroup);
    cluster.slaveAutoScalingGroup.attachToNetworkTargetGroup(this.blueTargetGroup);

    this.listener = this.loadBalancer.addListener('Bolt', { port, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [this.blueTargetGroup] });
    this.listenerArn = this.listener.listenerArn;
    this.boltUri = `bolt://${this.loadBalancer.loadBalancerDnsName}:${port}`;
    this.targetGroupArns = { blue: this.blueTargetGroup.targetGroupArn, green: this.greenTargetGroup.targetGroupArn };
  }

  private validate(deregistrationDelay: Duration): void {
    const seconds = deregistrationDelay.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
      throw new Neo4jUpgradesValidationError('deregistrationDelay', `${seconds} seconds`, 'must be a whole number of seconds from 0 to 3600');
    }
  }
}
