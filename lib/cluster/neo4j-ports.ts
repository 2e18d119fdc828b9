import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Bolt, the driver protocol every client and health gate speaks. */
export const BOLT_PORT = 7687;
/** Neo4j's HTTP API and browser. */
export const HTTP_PORT = 7474;

/** Allows Neo4j clients (Bolt and HTTP) from `peer` into the nodes' security group. */
export function allowNeo4jClients(nodes: ec2.IConnectable, peer: ec2.IConnectable): void {
  nodes.connections.allowFrom(peer, ec2.Port.tcp(BOLT_PORT), 'Bolt');
  nodes.connections.allowFrom(peer, ec2.Port.tcp(HTTP_PORT), 'HTTP');
}
