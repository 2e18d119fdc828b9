/**
 * One execution of the schema-first rolling upgrade's state machine under Step Functions' quotas
 * (limited-machine.ts): every task runs its real handler logic in-process with SDK clients pointed at moto
 * (through the fault injector's hooks and the schema task seam), the engine-fleet handlers get the same
 * deps their Lambda adapters build (engineServiceActions over ECS, ELBv2, RDS, SSM).
 */
import { EngineFleetContext } from '../../../lambda/shared/engine-fleet-context';
import { engineServiceActions } from '../../../lambda/shared/engine-node-services';
import { jsonLogger } from '../../../lambda/shared/log';
import { ApiCallCounter, CallHooks, ClientSet } from '../aws-clients';
import { allStates, MachineModel, TaskInfo } from '../definition';
import { FaultInjector } from '../fault-injector';
import { loadLogic } from '../handlers';
import { openHandlerLog, runTracked, TrackedExecutionResult } from '../tracked-run';
import { FaultSpec } from '../types';
import { MapAbort } from '../map-abort';

/** The waits poll every half second here (AWS: the definition's intervals): the harness's JVMs take seconds to boot. */
export const POLL_INTERVAL_MS = 500;
export const POLL_INTERVAL_ADAPTATION = {
  what: 'every Retry interval set to 0.5 s (the definition\'s polling loops retry after half a second)',
  why: 'the engine JVMs take several seconds to stop, boot and pass their check; a zero interval would spend a poll budget in well under that',
};

export interface CamundaExecutionSetup {
  readonly root: string;
  readonly name: string;
  readonly model: MachineModel;
  readonly endpoint: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly faults: FaultSpec[];
  /** Rewrite hooks every handler's clients carry, in order (the harness's ECS seams). */
  readonly seamHooks: ReadonlyArray<Pick<CallHooks, 'rewrite'>>;
  /** The network seam: how a handler's HTTP request to a node's task address reaches the node (engine-check's `get`). */
  readonly http: (url: string, timeoutMs: number) => Promise<{ status: number }>;
  readonly logDir: string;
  readonly say: (line: string) => void;
}

export interface CamundaExecutionResult extends TrackedExecutionResult {
  readonly startedAt: number;
  /** Each handler call's state, action and group, with its start and end (epoch ms), in order. */
  readonly calls: Array<{ state: string; handler: string; action?: string; groupId?: string; nodes?: string[]; at: number; endedAt: number; error?: string }>;
  readonly awsApiCalls: number;
}

function chainRewrites(hooks: ReadonlyArray<Pick<CallHooks, 'rewrite'>>): NonNullable<CallHooks['rewrite']> {
  return async (call, output) => {
    let out = output;
    for (const h of hooks) if (h.rewrite) out = await h.rewrite(call, out);
    return out;
  };
}

export async function runCamundaExecution(s: CamundaExecutionSetup): Promise<CamundaExecutionResult> {
  const t0 = Date.now();
  const executionArn = `${s.stateMachineArn.replace(':stateMachine:', ':execution:')}:${s.name}`;
  const faults = new FaultInjector(s.faults, s.say);
  const counter = new ApiCallCounter();
  const lastError = new Map<string, string>();
  const calls: CamundaExecutionResult['calls'] = [];
  const handlerLog = openHandlerLog(s.logDir, s.name);
  const log = handlerLog.log;
  const mapAbort = new MapAbort(s.model);

  const invoke = async (task: TaskInfo, parameters: Record<string, unknown>): Promise<unknown> => {
    const params = (parameters.Payload ?? parameters) as Record<string, unknown>;
    mapAbort.checkBefore(task.stateName);
    const item = String((params.group as { groupId?: string } | undefined)?.groupId ?? params.groupId ?? '');
    const nodes = ((params.group as { nodes?: Array<{ nodeId: string }> } | undefined)?.nodes ?? (params.nodes as Array<{ nodeId: string }> | undefined) ?? []).map((n) => n.nodeId);
    const call = {
      state: task.stateName, handler: task.handler, ...(typeof params.action === 'string' && { action: params.action }), ...(item && { groupId: item, nodes }), at: Date.now(),
    };
    const record = (fields: Record<string, unknown>) => log(JSON.stringify({ time: new Date().toISOString(), state: task.stateName, handler: task.handler, ...fields }));
    try {
      faults.failHandler(task);
      const clients = new ClientSet({ endpoint: s.endpoint, region: s.region, counter }, task.handler, { rewrite: chainRewrites(s.seamHooks), ...faults.throttleHooks(task) });
      record({ event: 'invoke', input: params });
      const deps: Record<string, unknown> = {
        region: s.region, now: () => new Date(), get: s.http,
        log: jsonLogger({ handler: task.handler, state: task.stateName, execution: s.name }, log),
      };
      for (const key of ['ssm', 'ec2', 'ecs', 'secrets', 'sns', 'elb', 'rds'] as const) Object.defineProperty(deps, key, { get: () => clients[key], enumerable: true });
      // engine-validate-input and engine-group-image build their actions from the input's cluster, as their adapters do.
      Object.defineProperty(deps, 'actions', { get: () => engineServiceActions(clients.ecs, params.cluster as EngineFleetContext), enumerable: true });
      const output = await loadLogic(s.root, task.handler)(deps, params);
      record({ event: 'output', output });
      calls.push({ ...call, endedAt: Date.now() });
      return { Payload: output, StatusCode: 200, ExecutedVersion: '$LATEST' };
    } catch (e) {
      mapAbort.noteError(task.stateName, item, (e as Error).name);
      record({ event: 'error', errorName: (e as Error).name, errorMessage: (e as Error).message });
      lastError.set(task.stateName, `${(e as Error).name}: ${(e as Error).message}`);
      calls.push({ ...call, endedAt: Date.now(), error: (e as Error).name });
      throw e;
    }
  };

  const { status, error, tracker } = await runTracked({
    model: s.model, input: s.input, name: s.name, executionArn, stateMachineArn: s.stateMachineArn, lastError, say: s.say,
    handlers: Object.fromEntries(s.model.tasks.map((t) => [t.stateName, (p: unknown) => invoke(t, p as Record<string, unknown>)])),
    retryIntervalOverrides: Object.fromEntries(allStates(s.model.definition).filter(([, state]) => (state.Retry ?? []).length > 0).map(([name]) => [name, POLL_INTERVAL_MS])),
  });
  handlerLog.end();
  return {
    status, ...(tracker.endState && { endState: tracker.endState }), ...(error && { error }), stages: tracker.stages,
    transitions: tracker.transitions, retries: tracker.retries, fired: faults.fired, startedAt: t0, durationMs: Date.now() - t0, executionArn,
    calls, awsApiCalls: counter.total,
  };
}
