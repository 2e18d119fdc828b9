import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Bolt, the driver protocol every client and health gate speaks. */
export const BOLT_PORT = 7687;
/** Neo4j's HTTP API and browser. */
export const HTTP_PORT = 7474;

const CLIENT_PORTS: ReadonlyArray<[number, string]> = [[BOLT_PORT, 'Bolt'], [HTTP_PORT, 'HTTP']];

/**
 * Allows Neo4j clients (Bolt and HTTP) from `peer` into the nodes' security group.
 *
 * When the peer's security group lives in another stack (a staged upgrade deployed apart from its
 * cluster), the ingress rule is created in the PEER's stack: that stack already depends on the
 * cluster's (it reads its names, groups and VPC), so a rule in the cluster's stack naming the peer's
 * group would make the cluster stack depend on it too, a cycle. The cluster stack stays unaware of its
 * clients and deploys first.
 */
export function allowNeo4jClients(nodes: ec2.ISecurityGroup, peer: ec2.IConnectable): void {
  const peerGroups = peer.connections.securityGroups;
  if (peerGroups.length === 0) {
    // A CIDR or prefix-list peer: nothing to reference across stacks.
    for (const [port, name] of CLIENT_PORTS) nodes.connections.allowFrom(peer, ec2.Port.tcp(port), name);
    return;
  }
  for (const group of peerGroups) {
    const apart = Stack.of(group) !== Stack.of(nodes);
    for (const [port, name] of CLIENT_PORTS) {
      // remoteRule: CDK puts a rule between two stacks' groups into the peer's stack.
      nodes.addIngressRule(group, ec2.Port.tcp(port), name, apart);
      if (!group.allowAllOutbound) group.addEgressRule(nodes, ec2.Port.tcp(port), name);
    }
  }
}
