import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BoltConnect, BoltClient } from '../shared/bolt';
import { readBoltCredentials } from '../shared/bolt-credentials';
import { requireBoltUri } from '../shared/database-session';
import { BakeFailedError, InvalidInputError, StillInProgressError } from '../shared/errors';
import { requireInteger, requireString, requireStringArray, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, lookOptions, lookUntilDone } from '../shared/look-until-done';
import { redactUri } from '../../validator/connect';
import { readAlarmStates } from './alarm-states';

export interface BakeWatchDeps extends LookClock {
  readonly cloudwatch: CloudWatchClient;
  readonly secrets: SecretsManagerClient;
  readonly connect: BoltConnect;
  readonly log: Logger;
}

export interface BakeWatchInput {
  /** The cluster's credentials secret (the same users on blue and green: green is blue's copy). */
  readonly cluster: { readonly credentialsSecretArn: string };
  /** Metric alarms on green's errors and latency: any of them in ALARM fails the bake. */
  readonly alarmNames: readonly string[];
  /** The client endpoint: the probe goes where clients go. */
  readonly probeBoltUri: string;
  /** When traffic reached green (ISO 8601): the bake runs from there. */
  readonly bakeStartedAt: string;
  readonly bakeSeconds: number;
  /** Looks every `everySeconds` within one invocation (written by the state machine). */
  readonly poll?: unknown;
}

export interface BakeWatchOutput {
  readonly baked: true;
  /** Seconds from bakeStartedAt to the last look. */
  readonly bakedSeconds: number;
  /** Looks (alarms + probe) in this invocation. */
  readonly looks: number;
}

/** What a probe through the endpoint runs: the smallest query a server can only answer when it serves. */
const PROBE = 'RETURN 1 AS ok';

/**
 * Watches green while it takes the traffic: each look reads the bake alarms and runs a Bolt probe
 * through the client endpoint. An alarm in ALARM or a failed probe is a BakeFailedError (the state
 * machine switches back to blue); until `bakeSeconds` have passed since `bakeStartedAt` the answer is
 * "not yet" (StillInProgressError), looked at again every second within the invocation. Reads only.
 */
export async function logic(deps: BakeWatchDeps, input: BakeWatchInput): Promise<BakeWatchOutput> {
  const checked = checkInput(input);
  const credentials = await readBoltCredentials(deps.secrets, checked.secretArn);
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  let looks = 0;
  const client = deps.connect(checked.probeBoltUri, credentials, { timeoutMs: 5000 });
  try {
    return await lookUntilDone(deps, checked.poll, (e) => e instanceof StillInProgressError, async () => {
      looks++;
      await lookOnce(deps, client, checked);
      const bakedSeconds = Math.floor((now() - checked.startedAt) / 1000);
      if (bakedSeconds < checked.bakeSeconds) throw new StillInProgressError(`baking on green: ${bakedSeconds} s of ${checked.bakeSeconds} s, alarms OK, probe answered`);
      deps.log.info('bake passed', { bakedSeconds, looks, alarmNames: checked.alarmNames });
      return { baked: true as const, bakedSeconds, looks };
    });
  } finally {
    await client.close();
  }
}

async function lookOnce(deps: BakeWatchDeps, client: BoltClient, checked: ReturnType<typeof checkInput>): Promise<void> {
  const alarming = (await readAlarmStates(deps.cloudwatch, checked.alarmNames)).filter((a) => a.state === 'ALARM');
  if (alarming.length > 0) {
    deps.log.error('bake alarm in ALARM', { alarms: alarming });
    throw new BakeFailedError(`alarm ${alarming.map((a) => `${a.name} (${a.reason})`).join(', ')} in ALARM during the bake`);
  }
  try {
    await client.query(PROBE);
  } catch (err) {
    deps.log.error('bake probe failed', { probeBoltUri: redactUri(checked.probeBoltUri), error: (err as Error).message });
    throw new BakeFailedError(`probe through ${redactUri(checked.probeBoltUri)} failed during the bake: ${(err as Error).message}`, { cause: err });
  }
}

function checkInput(input: BakeWatchInput) {
  const secretArn = requireString(input?.cluster?.credentialsSecretArn, 'cluster.credentialsSecretArn');
  const alarmNames = requireStringArray(input.alarmNames, 'alarmNames', 1);
  if (alarmNames.length > 100) throw new InvalidInputError(`alarmNames must name at most 100 alarms, got ${alarmNames.length}`);
  const probeBoltUri = requireBoltUri(input.probeBoltUri, 'probeBoltUri');
  const startedAt = Date.parse(requireString(input.bakeStartedAt, 'bakeStartedAt'));
  if (Number.isNaN(startedAt)) throw new InvalidInputError(`bakeStartedAt must be an ISO 8601 time, got ${show(input.bakeStartedAt)}`);
  const bakeSeconds = requireInteger(input.bakeSeconds, 'bakeSeconds', 1);
  return { secretArn, alarmNames, probeBoltUri, startedAt, bakeSeconds, poll: lookOptions(input.poll) };
}
