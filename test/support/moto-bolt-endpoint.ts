import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * The client endpoint's shape on moto_server: an internal network load balancer, a blue and a green TCP
 * target group, and a Bolt listener forwarding to blue.
 */
export async function createMotoBoltEndpoint(ec2: EC2Client, elb: ElasticLoadBalancingV2Client) {
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const loadBalancer = (await elb.send(new CreateLoadBalancerCommand({ Name: 'neo4j-bolt', Type: 'network', Scheme: 'internal', Subnets: [subnet] }))).LoadBalancers![0];
  const group = async (name: string) => (await elb.send(new CreateTargetGroupCommand({
    Name: name, Protocol: 'TCP', Port: 7687, VpcId: vpc, TargetType: 'instance', HealthCheckProtocol: 'TCP',
  }))).TargetGroups![0].TargetGroupArn!;
  const groups = { blue: await group('neo4j-blue'), green: await group('neo4j-green') };
  const listenerArn = (await elb.send(new CreateListenerCommand({
    LoadBalancerArn: loadBalancer.LoadBalancerArn, Protocol: 'TCP', Port: 7687, DefaultActions: [{ Type: 'forward', TargetGroupArn: groups.blue }],
  }))).Listeners![0].ListenerArn!;
  return { loadBalancer, groups, listenerArn };
}
