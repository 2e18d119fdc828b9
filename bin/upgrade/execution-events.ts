/** An execution's whole history (every page, oldest first) and the definition it runs. */
import {
  DescribeStateMachineForExecutionCommand, GetExecutionHistoryCommand, HistoryEvent, SFNClient,
} from '@aws-sdk/client-sfn';
import { MachineShape, machineShape } from './machine-shape';

export async function executionEvents(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: token, maxResults: 1000, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    token = page.nextToken;
  } while (token);
  return events;
}

/** The definition the execution runs (the version it started with, not necessarily the latest). */
export async function executionShape(sfn: SFNClient, executionArn: string): Promise<MachineShape> {
  const out = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
  return machineShape(out.definition ?? '{}');
}
