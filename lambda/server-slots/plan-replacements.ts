import { PreconditionFailedError } from '../shared/errors';
import { Slot } from './slot-table';

/** A parameter-only stack update (update-stack's `stage` and `parameters`, by role). */
export interface SlotUpdate {
  readonly stage: string;
  readonly parameters: Record<string, string>;
}

/** One old server replaced by a new member in a free slot. */
export interface PlannedReplacement {
  readonly oldServerNumber: number;
  /** The old member's Bolt address as SHOW SERVERS lists it (its instance's private IP). */
  readonly oldServerAddress: string;
  readonly oldInstanceId: string;
  /** The slot the new member starts in (the spare, then each retired old slot in turn). */
  readonly slotNumber: number;
  readonly leader: boolean;
  /** ecs-services-steady `groups` of the new member's slot and of the old one's. */
  readonly newMemberGroups: string[];
  readonly oldMemberGroups: string[];
  /** The surge: the slot at the target image and running, the main group one instance larger. */
  readonly surge: SlotUpdate;
  /** The old slot's service stopped (desired count 0). */
  readonly retire: SlotUpdate;
  /** The main group's DesiredCapacity back to the server count (its instance already gone, decremented). */
  readonly capacity: SlotUpdate;
  /** Undo before the point of no return: the new slot's service stopped (desired count 0). */
  readonly stopSurge: SlotUpdate;
  /** Undo: DesiredCapacity back to the server count after the surge instance is gone (its own stage name). */
  readonly undoCapacity: SlotUpdate;
}

export interface ReplacementPlanInput {
  readonly slots: readonly Slot[];
  readonly image: string;
  readonly family?: string;
  readonly leaderHost?: string;
  readonly stage: string;
  readonly desiredCapacity: number;
  readonly maxSize: number;
  readonly boltPort: number;
}

/**
 * The replacements: every running slot not on the target image (and family), the leader last, each going to
 * the slot the previous one freed, starting with the spare. Refuses (nothing changed) a cluster with no spare
 * or more than one (an earlier surge not finished), a main group that cannot grow by one, or an old server
 * whose instance is unknown.
 */
export function planReplacements(input: ReplacementPlanInput): PlannedReplacement[] {
  const { slots, image, family } = input;
  const spares = slots.filter((s) => !s.running);
  if (spares.length !== 1) {
    throw new PreconditionFailedError(`expected exactly one spare slot (desired count 0), found ${spares.map((s) => s.serverNumber).join(', ') || 'none'}: ` +
      'an earlier replacement did not finish (run the procedure again once the slots are consistent) or the cluster has no spare slot');
  }
  const running = slots.filter((s) => s.running);
  if (input.desiredCapacity !== running.length) {
    throw new PreconditionFailedError(`the main group's DesiredCapacity is ${input.desiredCapacity} but ${running.length} slots run: an earlier surge did not finish`);
  }
  if (input.maxSize < input.desiredCapacity + 1) {
    throw new PreconditionFailedError(`the main group's MaxSize ${input.maxSize} does not leave room for one more instance (DesiredCapacity ${input.desiredCapacity})`);
  }
  if (spares[0].volumeId !== undefined && spares[0].instanceId !== undefined) {
    throw new PreconditionFailedError(`the spare slot ${spares[0].serverNumber} has a volume attached to ${spares[0].instanceId}: an earlier surge did not finish`);
  }
  const leader = input.leaderHost === undefined ? undefined : running.find((s) => s.privateIpAddress === input.leaderHost)?.serverNumber;
  if (input.leaderHost !== undefined && leader === undefined) {
    throw new PreconditionFailedError(`the leader ${input.leaderHost} is no running slot of this cluster`);
  }
  const old = running
    .filter((s) => s.image !== image || (family !== undefined && s.familyRole !== undefined && s.family !== family))
    .sort((a, b) => Number(a.serverNumber === leader) - Number(b.serverNumber === leader) || a.serverNumber - b.serverNumber);
  for (const s of old) {
    if (!s.instanceId || !s.privateIpAddress) {
      throw new PreconditionFailedError(`server ${s.serverNumber} has no data volume attached to a running instance: cannot replace it`);
    }
  }
  let free = spares[0];
  return old.map((s) => {
    const slot = free;
    free = s;
    const stage = `${input.stage}-server${s.serverNumber}`;
    return {
      oldServerNumber: s.serverNumber,
      oldServerAddress: `${s.privateIpAddress}:${input.boltPort}`,
      oldInstanceId: s.instanceId!,
      slotNumber: slot.serverNumber,
      leader: s.serverNumber === leader,
      newMemberGroups: [`server${slot.serverNumber}`],
      oldMemberGroups: [`server${s.serverNumber}`],
      surge: {
        stage: `${stage}-surge`,
        parameters: {
          [slot.imageRole]: image, [slot.desiredCountRole]: '1', desiredCapacity: String(input.desiredCapacity + 1),
          ...(family !== undefined && slot.familyRole && { [slot.familyRole]: family }),
        },
      },
      retire: { stage: `${stage}-retire`, parameters: { [s.desiredCountRole]: '0' } },
      capacity: { stage: `${stage}-capacity`, parameters: { desiredCapacity: String(input.desiredCapacity) } },
      stopSurge: { stage: `${stage}-stop-surge`, parameters: { [slot.desiredCountRole]: '0' } },
      undoCapacity: { stage: `${stage}-undo-capacity`, parameters: { desiredCapacity: String(input.desiredCapacity) } },
    };
  });
}
