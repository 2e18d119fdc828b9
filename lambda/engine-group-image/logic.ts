import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EngineFleetContext, EngineFleetGroup } from '../shared/engine-fleet-context';
import { nodeAsServer } from '../shared/engine-node-services';
import { InvalidInputError, ServerStartFailedError, StillInProgressError } from '../shared/errors';
import { requireArray, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { ServerActions } from '../shared/server-actions';
import { readJsonParameter } from '../shared/ssm-json';

export interface EngineGroupImageDeps {
  readonly actions: ServerActions;
  readonly ssm: SSMClient;
  readonly now: () => Date;
  readonly log: Logger;
}

export const IMAGE_ACTIONS = ['upgrade', 'rollback', 'touched'] as const;
export type ImageAction = (typeof IMAGE_ACTIONS)[number];

export interface EngineGroupImageInput {
  readonly cluster: EngineFleetContext;
  readonly action: ImageAction;
  /** `upgrade`: the group to move to `toImage`. */
  readonly group?: EngineFleetGroup;
  /** `rollback`: the groups to put back (every group of the plan, or one); `touched`: every group of the plan, in order. */
  readonly groups?: readonly EngineFleetGroup[];
  readonly fromImage: string;
  readonly toImage: string;
  readonly executionArn: string;
  /** The lock parameter: the group records live at `<ledgerPrefix>/groups/<groupId>`. */
  readonly ledgerPrefix: string;
}

/** A group's record: written before its services change, so the rollback knows which groups it touched. */
export interface GroupRecord {
  readonly groupId: string;
  readonly executionArn: string;
  readonly fromImage: string;
  readonly toImage: string;
  readonly state: 'upgrading' | 'upgraded' | 'returned';
  readonly at: string;
}

export interface EngineGroupImageOutput {
  readonly action: ImageAction;
  /** upgrade: the group upgraded; rollback: the groups put back on the old image; touched: the groups this execution changed. */
  readonly groups: string[];
  /** rollback, touched: the groups this execution never touched (they stayed on the old image). */
  readonly untouched?: string[];
  /** touched: the groups this execution changed and has not yet put back, in plan order (what the rollback's turns return). */
  readonly toReturn?: EngineFleetGroup[];
}

/**
 * Seed 002 step 2.2: `upgrade` moves every node service of one group to a task definition with the new
 * image and waits until each runs one task of it; `rollback` moves the groups this execution touched back to
 * the old image (the schema stays: old engines work on it); `touched` only reads the records: which groups
 * this execution changed, so the rollback returns them one at a time. Records first, idempotent, polled.
 */
export async function logic(deps: EngineGroupImageDeps, input: EngineGroupImageInput): Promise<EngineGroupImageOutput> {
  if (!IMAGE_ACTIONS.includes(input?.action)) throw new InvalidInputError(`action must be one of ${IMAGE_ACTIONS.join(', ')}, got ${show(input?.action)}`);
  const fromImage = requireString(input.fromImage, 'fromImage');
  const toImage = requireString(input.toImage, 'toImage');
  const executionArn = requireString(input.executionArn, 'executionArn');
  const prefix = requireString(input.ledgerPrefix, 'ledgerPrefix');
  const recordName = (groupId: string) => `${prefix}/groups/${groupId}`;
  const read = async (groupId: string) => {
    const r = (await readJsonParameter<GroupRecord>(deps.ssm, recordName(groupId)))?.value;
    return r?.executionArn === executionArn ? r : undefined;
  };
  const write = (r: Omit<GroupRecord, 'at' | 'executionArn' | 'fromImage' | 'toImage'>) => deps.ssm.send(new PutParameterCommand({
    Name: recordName(r.groupId), Type: 'String', Overwrite: true,
    Value: JSON.stringify({ ...r, executionArn, fromImage, toImage, at: deps.now().toISOString() }),
  }));

  if (input.action === 'upgrade') {
    const group = input.group;
    const groupId = requireString(group?.groupId, 'group.groupId');
    requireArray(group?.nodes, 'group.nodes', 1);
    const record = await read(groupId);
    if (record?.state === 'upgraded') return { action: 'upgrade', groups: [groupId] };
    if (!record) await write({ groupId, state: 'upgrading' });
    await moveGroup(deps, group!, toImage);
    await write({ groupId, state: 'upgraded' });
    deps.log.info('group upgraded', { groupId, toImage });
    return { action: 'upgrade', groups: [groupId] };
  }

  const groups = requireArray<EngineFleetGroup>(input.groups, 'groups', 1);
  if (input.action === 'touched') {
    const records = await Promise.all(groups.map(async (g) => ({ group: g, record: await read(requireString(g?.groupId, 'groups[].groupId')) })));
    return {
      action: 'touched',
      groups: records.filter((r) => r.record).map((r) => r.group.groupId),
      untouched: records.filter((r) => !r.record).map((r) => r.group.groupId),
      toReturn: records.filter((r) => r.record && r.record.state !== 'returned').map((r) => r.group),
    };
  }
  const returned: string[] = [];
  const untouched: string[] = [];
  for (const group of groups) {
    const record = await read(group.groupId);
    if (!record) {
      untouched.push(group.groupId);
      continue;
    }
    returned.push(group.groupId);
    if (record.state === 'returned') continue;
    await moveGroup(deps, group, fromImage);
    await write({ groupId: group.groupId, state: 'returned' });
    deps.log.info('group returned to the old image', { groupId: group.groupId, fromImage });
  }
  return { action: 'rollback', groups: returned, untouched };
}

/** Every node of the group on `image`, one running task each; StillInProgressError until then. */
async function moveGroup(deps: EngineGroupImageDeps, group: EngineFleetGroup, image: string): Promise<void> {
  const waiting: string[] = [];
  for (const node of group.nodes) {
    const run = await deps.actions.start(nodeAsServer(node), image);
    if (run.exitCode !== undefined && run.exitCode !== 0) throw new ServerStartFailedError(`${node.nodeId} refused to start on ${image}: exit ${run.exitCode}`);
    if (!run.done) waiting.push(`${node.nodeId} (${run.detail ?? 'starting'})`);
  }
  if (waiting.length > 0) throw new StillInProgressError(`${group.groupId} on ${image}: waiting for ${waiting.join(', ')}`);
}
