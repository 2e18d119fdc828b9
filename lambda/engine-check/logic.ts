import { ECSClient } from '@aws-sdk/client-ecs';
import { EngineFleetContext, EngineFleetNode } from '../shared/engine-fleet-context';
import { nodeTargets } from '../shared/engine-targets';
import { EngineCheckFailedError, InvalidInputError } from '../shared/errors';
import { requireArray, requireInteger, requireString, show } from '../shared/input-checks';
import { Logger } from '../shared/log';

/** One HTTP GET with a timeout: its status, or 0 when nothing answered. */
export type HttpGet = (url: string, timeoutMs: number) => Promise<{ status: number }>;

export interface EngineCheckDeps {
  readonly ecs: ECSClient;
  readonly get: HttpGet;
  readonly log: Logger;
}

export interface EngineCheckInput {
  readonly cluster: EngineFleetContext;
  readonly groupId: string;
  readonly nodes: readonly EngineFleetNode[];
  /** The engine's check path on each node's task (on the fleet's engine port): 200 when the engine serves and its job executor runs. */
  readonly checkPath: string;
}

export interface EngineCheckOutput {
  readonly groupId: string;
  /** Each node's task address and the status its engine answered. */
  readonly engines: Array<{ nodeId: string; target: string; status: number }>;
}

/** Longest wait for one answer; the check is polled, so a slow engine is looked at again. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Seed 002 step 2.3's engine-level check, once the group's services run the new image and before its
 * targets are registered again: each node's running task is asked directly (not through the load balancer) on the check endpoint, e.g. Camunda's Spring Boot
 * actuator health with its processEngine and jobExecutor indicators. Any node without a running task or
 * not answering 200 fails the check (EngineCheckFailedError, polled until the check's timeout, then the
 * rollback). Reads only: idempotent.
 */
export async function logic(deps: EngineCheckDeps, input: EngineCheckInput): Promise<EngineCheckOutput> {
  const groupId = requireString(input?.groupId, 'groupId');
  const nodes = requireArray<EngineFleetNode>(input.nodes, 'nodes', 1);
  const path = requireString(input.checkPath, 'checkPath');
  if (!/^\/[^\s?#]*(\?[^\s#]*)?$/.test(path)) throw new InvalidInputError(`checkPath must be an absolute path like /actuator/health, got ${show(path)}`);
  requireString(input.cluster?.ecsClusterName, 'cluster.ecsClusterName');
  const port = requireInteger(input.cluster.enginePort, 'cluster.enginePort', 1);
  if (port > 65535) throw new InvalidInputError(`cluster.enginePort must be a TCP port (1-65535), got ${show(port)}`);

  const targets = await nodeTargets(deps.ecs, input.cluster, nodes);
  const engines = await Promise.all(targets.map(async (t) => {
    const answer = await deps.get(`http://${t.id}:${port}${path}`, REQUEST_TIMEOUT_MS).catch(() => ({ status: 0 }));
    return { nodeId: t.nodeId, target: t.id, status: answer.status };
  }));
  const missing = nodes.filter((n) => !targets.some((t) => t.nodeId === n.nodeId)).map((n) => `${n.nodeId}: no running task`);
  const failing = engines.filter((e) => e.status !== 200).map((e) => `${e.nodeId} (${e.target}): ${e.status === 0 ? 'no answer' : `HTTP ${e.status}`}`);
  if (missing.length > 0 || failing.length > 0) {
    throw new EngineCheckFailedError(`${groupId}: the engine check ${path} did not pass for ${[...missing, ...failing].join(', ')}`);
  }
  deps.log.info('engines passed the check', { groupId, engines });
  return { groupId, engines };
}
