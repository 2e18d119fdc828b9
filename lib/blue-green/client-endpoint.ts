/**
 * A stable client endpoint in front of a cluster with one target group per colour: what the traffic
 * switch moves and what clients and health gates connect to.
 */
export interface IClientEndpoint {
  /** The listener whose forward action decides which colour gets new connections. */
  readonly listenerArn: string;
  /** The endpoint's Bolt URI, e.g. `bolt://internal-x.elb.amazonaws.com:7687`. */
  readonly boltUri: string;
  /** The target group of each colour (`blue`, `green`), as the traffic switch's `targetGroups` input. */
  readonly targetGroupArns: { [colour: string]: string };
}
