import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BoltClient, BoltConnect, boltErrorCode } from '../shared/bolt';
import { readBoltCredentials } from '../shared/bolt-credentials';
import { ClusterContext } from '../shared/context';
import { requireBoltUri } from '../shared/database-session';
import { HealthGateError, InvalidInputError, PreconditionFailedError, StillInProgressError, UpgradeError } from '../shared/errors';
import { requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';
import { LookClock, LookOptions, lookOptions, lookUntilDone } from '../shared/look-until-done';
import { MEMBERSHIP_STEPS, MembershipAction, MembershipStepResult, StepTarget } from './membership-steps';

export interface ClusterMembershipInput {
  /** Uses boltUri (`neo4j://` routes the commands to the `system` leader) and credentialsSecretArn. */
  readonly cluster: ClusterContext;
  /**
   * 5.x / 2025.x: enable-server, wait-hosting (the new member), deallocate, wait-drained, drop-server (the
   * old one); withdraw-new-member (the undo of a replacement before the deallocation).
   * 4.4 causal clusters (read only, `changed` always false): wait-joined (the new member, started), wait-left
   * (a member whose process was stopped: the old one, or the new one in an undo).
   */
  readonly action: MembershipAction;
  /** The server's Bolt address as SHOW SERVERS (5.x) or dbms.cluster.overview() (4.4) lists it (`host:port`). */
  readonly serverAddress: string;
  /** deallocate only: the new member that must have joined before the old one gives up its databases. */
  readonly replacementAddress?: string;
  /** Look again within this invocation while the step is not done yet; absent: one look. */
  readonly poll?: LookOptions;
}

export interface ClusterMembershipOutput extends MembershipStepResult {
  readonly action: MembershipAction;
  readonly checkedAt: string;
}

export interface ClusterMembershipDeps extends LookClock {
  readonly secrets: SecretsManagerClient;
  readonly connect: BoltConnect;
  readonly now: () => Date;
  readonly log: Logger;
  /** Bolt connect timeout. Default 10 s. */
  readonly boltTimeoutMs?: number;
}

const ADDRESS = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/;

function requireAddress(value: unknown, field: string): string {
  const address = requireString(value, field);
  if (!ADDRESS.test(address)) throw new InvalidInputError(`${field} must be a Bolt address host:port as SHOW SERVERS lists it, got ${show(address)}`);
  return address;
}

function validate(input: ClusterMembershipInput): { action: MembershipAction; target: StepTarget; poll?: LookOptions } {
  if (typeof input?.cluster !== 'object' || input.cluster === null) throw new InvalidInputError(`cluster must be an object, got ${show(input?.cluster)}`);
  requireBoltUri(input.cluster.boltUri, 'cluster.boltUri');
  requireString(input.cluster.credentialsSecretArn, 'cluster.credentialsSecretArn');
  const action = input.action;
  if (typeof action !== 'string' || !Object.keys(MEMBERSHIP_STEPS).includes(action)) {
    throw new InvalidInputError(`action must be one of ${Object.keys(MEMBERSHIP_STEPS).join(', ')}, got ${show(action)}`);
  }
  const serverAddress = requireAddress(input.serverAddress, 'serverAddress');
  let replacementAddress: string | undefined;
  if (action === 'deallocate') {
    replacementAddress = requireAddress(input.replacementAddress, 'replacementAddress');
    if (replacementAddress === serverAddress) {
      throw new InvalidInputError(`replacementAddress must differ from serverAddress (the old member), both are ${show(serverAddress)}`);
    }
  } else if (input.replacementAddress !== undefined) {
    throw new InvalidInputError(`replacementAddress is only for action deallocate, got ${show(input.replacementAddress)} with action ${action}`);
  }
  return { action, target: { serverAddress, ...(replacementAddress && { replacementAddress }) }, poll: lookOptions(input.poll) };
}

/** Driver errors the next invocation may not see: the cluster unreachable, a leader change, a transient error. */
function isTransient(code: string): boolean {
  return ['ServiceUnavailable', 'SessionExpired', 'Neo.ClientError.Cluster.NotALeader'].includes(code) || code.startsWith('Neo.TransientError.');
}

/** A driver error as one of ours: retryable when transient, else the command was refused (not retryable). */
function asUpgradeError(err: unknown, doing: string, uri: string): Error {
  if (err instanceof UpgradeError) return err;
  const code = boltErrorCode(err);
  if (code === undefined) return err as Error;
  const message = `${doing} at ${uri}: ${code}: ${(err as Error).message}`;
  if (isTransient(code)) return new HealthGateError(`expected the cluster to answer ${message}`, { cause: err });
  return new PreconditionFailedError(`the cluster refused ${message}`, { cause: err });
}

/**
 * One step of adding a member before retiring one (5.x / 2025.x server management, see
 * docs/rolling-upgrade.md "Replaceable resources"; on 4.4 causal clusters only the waits wait-joined and
 * wait-left, which read dbms.cluster.overview() and SHOW DATABASES and send nothing), over one Bolt
 * connection to `system`. Every step reads SHOW SERVERS first and sends its command only when the server
 * is not there yet, so running it twice gives the same result. Not done yet: StillInProgressError (the state machine's poll); the
 * replacement not joined or another member down before a deallocation, or the cluster unreachable:
 * HealthGateError (retryable); a server in a state the step cannot continue from, or a command Neo4j
 * refuses: PreconditionFailedError; bad input: InvalidInputError before any connection.
 */
export async function logic(deps: ClusterMembershipDeps, input: ClusterMembershipInput): Promise<ClusterMembershipOutput> {
  const { action, target, poll } = validate(input);
  const uri = input.cluster.boltUri;
  const creds = await readBoltCredentials(deps.secrets, input.cluster.credentialsSecretArn);
  let bolt: BoltClient | undefined;
  try {
    bolt = deps.connect(uri, creds, { timeoutMs: deps.boltTimeoutMs });
    const connected = bolt;
    const notYet = (e: unknown) => e instanceof StillInProgressError || e instanceof HealthGateError;
    const step = await lookUntilDone(deps, poll, notYet, async () => {
      try {
        return await MEMBERSHIP_STEPS[action](connected, target);
      } catch (err) {
        throw asUpgradeError(err, action, uri);
      }
    });
    deps.log.info('membership', { action, ...step });
    return { action, ...step, checkedAt: deps.now().toISOString() };
  } finally {
    await bolt?.close().catch(() => undefined);
  }
}
