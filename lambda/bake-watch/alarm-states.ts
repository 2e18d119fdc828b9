import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PreconditionFailedError } from '../shared/errors';

/** One watched alarm's state as CloudWatch reports it. */
export interface AlarmState {
  readonly name: string;
  /** OK | ALARM | INSUFFICIENT_DATA */
  readonly state: string;
  readonly reason: string;
}

/**
 * The current state of each named metric alarm (DescribeAlarms takes up to 100 names). An alarm that
 * does not exist is a PreconditionFailedError: a bake that watches nothing must not pass.
 */
export async function readAlarmStates(cloudwatch: CloudWatchClient, names: readonly string[]): Promise<AlarmState[]> {
  const found = new Map<string, AlarmState>();
  let nextToken: string | undefined;
  do {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'], NextToken: nextToken }));
    for (const a of out.MetricAlarms ?? []) {
      found.set(a.AlarmName ?? '', { name: a.AlarmName ?? '', state: a.StateValue ?? '', reason: a.StateReason ?? '' });
    }
    nextToken = out.NextToken;
  } while (nextToken);
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0) throw new PreconditionFailedError(`bake alarm(s) ${missing.join(', ')} not found`);
  return names.map((n) => found.get(n)!);
}
