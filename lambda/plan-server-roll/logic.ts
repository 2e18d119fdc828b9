import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describeStack, stackParameters } from '../shared/cfn-stack';
import { ClusterContext } from '../shared/context';
import { attachedInstanceId, findDataVolumes } from '../shared/data-volumes';
import { InvalidInputError, PreconditionFailedError } from '../shared/errors';
import { optionalString, requireCluster, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { requireStage } from '../shared/name-checks';
import { RollTargetInput, targetFamily, targetImage } from '../shared/roll-target';

export interface PlanServerRollDeps {
  readonly cfn: CloudFormationClient;
  readonly ec2: EC2Client;
  readonly log: Logger;
}

/**
 * The target (RollTargetInput): `image` forward, `previousParameters` back. Where the cluster has
 * `server<N>VersionFamily` roles (discovery v2) each server's update sets the family with the image, and the
 * closing update sets VersionFamily; without them a family change is refused (it would restart every server at once).
 */
export interface PlanServerRollInput extends RollTargetInput {
  /** A cluster in the per-server layout: roles `server<N>Image` in parameterNames, groups `server<N>`. */
  readonly cluster: ClusterContext;
  /** The leader's host (the cluster gate's `leaderHost`): that server rolls last. Absent: by server number. */
  readonly leaderHost?: string;
  /** Names the updates (`<stage>-server<N>`, `<stage>-final`): one stack request token each, per execution. */
  readonly stage: string;
}

export interface ServerRoll {
  readonly serverNumber: number;
  /** The server's group role (`server2`): ecs-services-steady's `groups`. */
  readonly groups: string[];
  readonly instanceId?: string;
  readonly privateIpAddress?: string;
  readonly leader: boolean;
  /** The parameter-only update that rolls this server alone (update-stack's `parameters`, `stage`). */
  readonly parameters: Record<string, string>;
  readonly stage: string;
}

export interface PlanServerRollOutput {
  readonly image: string;
  /** The servers that do not run `image` yet, in rolling order: the leader last. */
  readonly servers: ServerRoll[];
  /** The closing update: DockerImage = image and every server parameter cleared, which changes no task. */
  readonly finalParameters: Record<string, string>;
  readonly finalStage: string;
}

const SERVER_TAG = 'neo4j-upgrades:server';
const SERVER_ROLE = /^server([1-9][0-9]?)Image$/;
const FAMILY_ROLE = (n: number) => `server${n}VersionFamily`;

/**
 * The rolling order on fixed servers (seed 001 5.3.2.1): every server whose effective image (its
 * `Server<N>Image` parameter, or DockerImage while that is empty) is not `image`, the others by server
 * number and the leader last, so leadership moves at most once. A server is found by its data volume's
 * `neo4j-upgrades:server` tag and the instance that volume is attached to. Reads only; the same input
 * gives the same plan, so a retry is harmless.
 */
export async function logic(deps: PlanServerRollDeps, input: PlanServerRollInput): Promise<PlanServerRollOutput> {
  const cluster = requireCluster(input?.cluster, ['dataVolumeName', 'environmentName']);
  const roles = Object.entries(cluster.parameterNames as unknown as Record<string, string>)
    .map(([role, name]) => ({ role, name, number: Number(SERVER_ROLE.exec(role)?.[1]) }))
    .filter((r) => Number.isInteger(r.number))
    .sort((a, b) => a.number - b.number);
  if (roles.length === 0) {
    throw new InvalidInputError(`cluster.parameterNames has no server<N>Image role: the cluster is not in the per-server layout (got ${show(Object.keys(cluster.parameterNames))})`);
  }
  for (const r of roles) {
    if (!cluster.groups?.some((g) => g.role === `server${r.number}` && g.serviceName)) {
      throw new InvalidInputError(`cluster.groups has no group server${r.number} with an ECS service (parameter ${r.name} has one)`);
    }
  }
  const leaderHost = optionalString(input.leaderHost, 'leaderHost');
  const stage = requireStage(input.stage, 'stage');
  if (stage.length > 50) throw new InvalidInputError(`stage must be at most 50 characters (it is suffixed with -server<N>), got ${show(stage)}`);
  const params = stackParameters(await describeStack(deps.cfn, cluster.stackName));
  const image = targetImage(input, cluster, params);
  const names = cluster.parameterNames as unknown as Record<string, string | undefined>;
  const family = targetFamily(input, cluster, params, roles.every((r) => names[FAMILY_ROLE(r.number)] !== undefined));
  const familyOf = (n: number) => names[FAMILY_ROLE(n)] !== undefined && family !== undefined
    ? { role: FAMILY_ROLE(n), effective: params[names[FAMILY_ROLE(n)]!] || params[cluster.parameterNames.versionFamily!] }
    : undefined;

  const where = await serverInstances(deps.ec2, cluster);
  const leader = leaderHost === undefined ? undefined : [...where.entries()].find(([, at]) => at.privateIpAddress === leaderHost)?.[0];
  if (leaderHost !== undefined && leader === undefined) {
    throw new PreconditionFailedError(`the leader ${leaderHost} is no server of this cluster (${[...where.entries()]
      .map(([n, at]) => `server ${n} ${at.instanceId} ${at.privateIpAddress ?? 'no IP'}`).join(', ') || 'no server has an attached volume'})`);
  }
  // A stopped slot (a cluster with a spare slot: its server<N>DesiredCount is 0) runs no server to roll.
  const stopped = (n: number) => names[`server${n}DesiredCount`] !== undefined && params[names[`server${n}DesiredCount`]!] === '0';
  const servers = roles
    .filter((r) => !stopped(r.number))
    .filter((r) => (params[r.name] || params[cluster.parameterNames.dockerImage]) !== image || (familyOf(r.number)?.effective ?? family) !== family)
    .sort((a, b) => Number(a.number === leader) - Number(b.number === leader) || a.number - b.number)
    .map((r): ServerRoll => ({
      serverNumber: r.number,
      groups: [`server${r.number}`],
      ...where.get(r.number),
      leader: r.number === leader,
      parameters: { [r.role]: image, ...(familyOf(r.number) && { [FAMILY_ROLE(r.number)]: family as string }) },
      stage: `${stage}-server${r.number}`,
    }));
  const finalParameters = {
    dockerImage: image,
    ...(family !== undefined && cluster.parameterNames.versionFamily !== undefined && { versionFamily: family }),
    ...Object.fromEntries(roles.flatMap((r) => [[r.role, ''], ...(familyOf(r.number) ? [[FAMILY_ROLE(r.number), '']] : [])])),
  };
  deps.log.info('server roll planned', { image, servers: servers.map((s) => s.serverNumber), leader });
  return { image, servers, finalParameters, finalStage: `${stage}-final` };
}

/** Server number -> the instance its volume is attached to (servers whose volume is not attached are absent). */
async function serverInstances(ec2: EC2Client, cluster: ClusterContext): Promise<Map<number, { instanceId: string; privateIpAddress?: string }>> {
  const volumes = await findDataVolumes(ec2, cluster, [{ Name: 'tag-key', Values: [SERVER_TAG] }]);
  const byServer = new Map<number, string>();
  for (const v of volumes) {
    const number = Number(v.Tags?.find((t) => t.Key === SERVER_TAG)?.Value);
    const instanceId = attachedInstanceId(v);
    if (Number.isInteger(number) && instanceId) byServer.set(number, instanceId);
  }
  const ids = [...new Set(byServer.values())];
  const ips = new Map<string, string | undefined>();
  if (ids.length > 0) {
    const found = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const i of (found.Reservations ?? []).flatMap((r) => r.Instances ?? [])) ips.set(i.InstanceId!, i.PrivateIpAddress);
  }
  // In server order, whatever order EC2 listed the volumes in (messages and plans read the same every time).
  return new Map([...byServer].sort(([a], [b]) => a - b).map(([n, id]) => [n, { instanceId: id, ...(ips.get(id) && { privateIpAddress: ips.get(id) }) }]));
}
