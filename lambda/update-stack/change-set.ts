import {
  Change, CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeChangeSetCommandOutput,
  ListChangeSetsCommand, Parameter,
} from '@aws-sdk/client-cloudformation';
import { isAwsError } from '../shared/aws-error';
import { StillInProgressError } from '../shared/errors';

/** A change set CloudFormation has finished computing (or given up on). */
export interface ReviewedChangeSet {
  readonly name: string;
  readonly id: string;
  /** CREATE_COMPLETE or FAILED. */
  readonly status: string;
  /** AVAILABLE, EXECUTE_IN_PROGRESS, EXECUTE_COMPLETE, EXECUTE_FAILED, OBSOLETE, UNAVAILABLE. */
  readonly executionStatus: string;
  readonly statusReason?: string;
  /** Every page of Changes (up to DESCRIBE_PAGES pages). */
  readonly changes: Change[];
  /** More pages than DESCRIBE_PAGES: not every change was read, so the review is incomplete. */
  readonly truncated: boolean;
}

export interface ChangeSetRequest {
  readonly stackName: string;
  /** Deterministic per (execution, mode, stage): a retry finds the change set it created. */
  readonly name: string;
  readonly parameters: Parameter[];
  readonly capabilities: string[];
  readonly description: string;
}

export interface ChangeSetDeps {
  readonly cfn: CloudFormationClient;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** How long one invocation waits for CloudFormation to compute a change set before the state machine's Retry takes over. */
export const CHANGE_SET_POLLS = 20;
export const CHANGE_SET_POLL_MS = 1_000;
const DESCRIBE_PAGES = 50;
const LIST_PAGES = 10;
const COMPUTING = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

/**
 * The stack's change set of this name, or a new one (ChangeSetType UPDATE, the previous template, the given
 * parameters and capabilities), once CloudFormation has computed it. Looking it up first means a retry
 * reuses its change set and never creates a second. Still computing after CHANGE_SET_POLLS:
 * StillInProgressError. Returns undefined when CloudFormation answers "No updates are to be performed"
 * without creating one.
 */
export async function reviewChangeSet(deps: ChangeSetDeps, req: ChangeSetRequest): Promise<ReviewedChangeSet | undefined> {
  let id = await findChangeSet(deps.cfn, req.stackName, req.name);
  if (id === undefined) {
    try {
      id = (await deps.cfn.send(new CreateChangeSetCommand({
        StackName: req.stackName,
        ChangeSetName: req.name,
        ChangeSetType: 'UPDATE',
        UsePreviousTemplate: true,
        Parameters: req.parameters,
        Capabilities: req.capabilities as CreateChangeSetCommand['input']['Capabilities'],
        Description: req.description,
      }))).Id;
    } catch (err) {
      if (isAwsError(err, 'ValidationError', /No updates are to be performed/)) return undefined;
      // Another invocation of the same stage created it between our look-up and our create.
      if (!isAwsError(err, 'AlreadyExistsException')) throw err;
      id = await findChangeSet(deps.cfn, req.stackName, req.name);
    }
    if (id === undefined) throw new StillInProgressError(`change set ${req.name} of stack ${req.stackName} is not listed yet`);
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let poll = 0; ; poll++) {
    const first = await describe(deps.cfn, id);
    if (!COMPUTING.has(first.Status ?? '')) return { ...statusOf(req.name, id, first), ...await allChanges(deps.cfn, id, first) };
    if (poll + 1 >= CHANGE_SET_POLLS) {
      throw new StillInProgressError(`change set ${req.name} of stack ${req.stackName} is still ${first.Status}`);
    }
    await sleep(CHANGE_SET_POLL_MS);
  }
}

async function findChangeSet(cfn: CloudFormationClient, stackName: string, name: string): Promise<string | undefined> {
  let NextToken: string | undefined;
  for (let page = 0; page < LIST_PAGES; page++) {
    const res = await cfn.send(new ListChangeSetsCommand({ StackName: stackName, NextToken }));
    const mine = (res.Summaries ?? []).find((s) => s.ChangeSetName === name);
    if (mine?.ChangeSetId) return mine.ChangeSetId;
    NextToken = res.NextToken;
    if (!NextToken) break;
  }
  return undefined;
}

const describe = (cfn: CloudFormationClient, id: string, NextToken?: string) =>
  cfn.send(new DescribeChangeSetCommand({ ChangeSetName: id, NextToken }));

function statusOf(name: string, id: string, first: DescribeChangeSetCommandOutput): Omit<ReviewedChangeSet, 'changes' | 'truncated'> {
  return {
    name, id,
    status: first.Status ?? 'UNKNOWN',
    executionStatus: first.ExecutionStatus ?? 'UNKNOWN',
    ...(first.StatusReason && { statusReason: first.StatusReason }),
  };
}

async function allChanges(
  cfn: CloudFormationClient, id: string, first: DescribeChangeSetCommandOutput,
): Promise<{ changes: Change[]; truncated: boolean }> {
  const changes = [...(first.Changes ?? [])];
  let NextToken = first.NextToken;
  for (let page = 1; NextToken && page < DESCRIBE_PAGES; page++) {
    const res = await describe(cfn, id, NextToken);
    changes.push(...(res.Changes ?? []));
    NextToken = res.NextToken;
  }
  return { changes, truncated: NextToken !== undefined };
}
