/**
 * `neo4j-ecs-upgrades upgrade <verb>`: operate the upgrade state machine. This module loads no AWS SDK
 * client: each verb is loaded when it runs, and loads only the clients it uses (`--help` stays fast).
 */
import { ClientConfig, UpgradeClients } from './clients';
import { RefusedError, UsageError, parseUpgradeArgs } from './options';
import { UpgradeIo, VerbContext } from './verb-context';

export const UPGRADE_USAGE = `usage: neo4j-ecs-upgrades upgrade <verb> (--stack NAME | --state-machine ARN) [options]
  start     [--input JSON | --input-file PATH] [--image IMAGE] [--target-version V] [--from-version V]
            [--target-capacity N] [--slave-capacity N] [--clone-region R]... [--approval-mode none|after-store-upgrade]
            [--approval-timeout SECONDS] [--lock-ttl SECONDS] [--allow-same-version] [--comment TEXT] [--name NAME] [--dry-run]
            checks the input locally, starts an execution, prints its ARN
  status    [--execution ARN] [--json]      one execution (default: the latest): stages, step, elapsed, waits, retries, approval
  watch     [--execution ARN] [--interval SECONDS] [--until-approval] [--timeout SECONDS]
            follows it until it ends (or waits for an approval, with --until-approval)
  approve   [--execution ARN] [--by NAME]   answers the pending approval: continue
  reject    [--execution ARN] --reason TEXT [--by NAME]   answers it: stop, the rollback path runs
  abort     [--execution ARN] [--reason TEXT] [--by NAME]   asks the running execution to roll back at its next safe point
  unlock                                     deletes the upgrade lock if its holder execution is not RUNNING
  redrive   [--execution ARN]                continues a FAILED, ABORTED or TIMED_OUT execution where it failed
  history   [--limit N] [--json]             past executions: outcome, start, duration, per-stage times
common: --region REGION (else AWS_REGION); credentials from the usual AWS environment
--stack NAME finds the stack's one AWS::StepFunctions::StateMachine; --execution ARN needs neither
exit status: 0 done, 1 refused or the execution did not succeed, 2 usage or runtime error
runbook: docs/runbook.md`;

type Verb = (ctx: VerbContext) => Promise<number>;

const VERBS: Record<string, () => Promise<Verb>> = {
  start: async () => (await import('./verbs/start')).start,
  status: async () => (await import('./verbs/status')).status,
  watch: async () => (await import('./verbs/watch')).watch,
  approve: async () => (await import('./verbs/approval')).approve,
  reject: async () => (await import('./verbs/approval')).reject,
  abort: async () => (await import('./verbs/abort')).abort,
  unlock: async () => (await import('./verbs/unlock')).unlock,
  redrive: async () => (await import('./verbs/redrive')).redrive,
  history: async () => (await import('./verbs/history')).history,
};

/** Seams for tests: the clients' endpoint and credentials, and watch's clock. */
export interface UpgradeSeams {
  readonly clientConfig?: ClientConfig;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function runUpgradeCli(argv: string[], io: UpgradeIo, seams: UpgradeSeams = {}): Promise<number> {
  try {
    const { values, positionals } = parseUpgradeArgs(argv);
    const [verb, ...rest] = positionals;
    if (values.help || !verb) {
      io.stdout.write(UPGRADE_USAGE + '\n');
      return verb || values.help ? 0 : 2;
    }
    const load = VERBS[verb];
    if (!load) throw new UsageError(`unknown verb ${JSON.stringify(verb)}`);
    if (rest.length > 0) throw new UsageError(`unexpected argument(s) ${rest.map((r) => JSON.stringify(r)).join(' ')}`);
    // The region of the ARN given, unless --region says otherwise: the environment's region may be another.
    const arnRegion = (values['state-machine'] ?? values.execution)?.split(':')[3];
    const region = values.region ?? (arnRegion || undefined);
    const clients = new UpgradeClients({ ...seams.clientConfig, ...(region && { region }) });
    return await (await load())({
      values, positionals: rest, io, clients,
      now: seams.now ?? (() => new Date()),
      sleep: seams.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n${UPGRADE_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return err instanceof RefusedError ? 1 : 2;
  }
}
