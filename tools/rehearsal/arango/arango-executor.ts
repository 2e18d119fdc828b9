/**
 * One execution of the role-ordered state machine under Step Functions' quotas (limited-machine.ts): every
 * task runs its real handler logic in-process with SDK clients pointed at moto (through the fault
 * injector's hooks), the ArangoDB handlers reach the emulator through the rehearsal's network
 * (emulator-network.ts) and act on servers through the emulator's control API (emulator-server-actions.ts);
 * the operator's hook functions are played (hook-player.ts).
 */
import { jsonLogger } from '../../../lambda/shared/log';
import type { ArangoEmulator } from '../../arangodb-emulator';
import { MACHINE_ADAPTATIONS } from '../adaptations';
import { ApiCallCounter, ClientSet } from '../aws-clients';
import { MachineModel, TaskInfo } from '../definition';
import { FaultInjector } from '../fault-injector';
import { loadLogic } from '../handlers';
import { openHandlerLog, runTracked, TrackedExecutionResult } from '../tracked-run';
import { FaultSpec } from '../types';
import { emulatorFetch } from './emulator-network';
import { DiskState, EmulatorServerActions } from './emulator-server-actions';
import { HookSwitches, playHook } from './hook-player';
import { MapAbort } from '../map-abort';

export const HOOK_PREFIX = 'hook:';

export interface ArangoExecutionSetup {
  readonly root: string;
  readonly name: string;
  readonly model: MachineModel;
  readonly emulator: ArangoEmulator;
  readonly endpoint: string;
  readonly region: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  readonly faults: FaultSpec[];
  readonly disks: DiskState;
  readonly hooks: HookSwitches;
  readonly logDir: string;
  readonly say: (line: string) => void;
}

export interface ArangoExecutionResult extends TrackedExecutionResult {
  /** When each server's gate passed (epoch ms). */
  readonly gatePassedAt: Record<string, number>;
  readonly awsApiCalls: number;
}

export async function runArangoExecution(s: ArangoExecutionSetup): Promise<ArangoExecutionResult> {
  const t0 = Date.now();
  const executionArn = `${s.stateMachineArn.replace(':stateMachine:', ':execution:')}:${s.name}`;
  const cluster = s.model.baked.cluster as { servers: Array<{ serverId: string; endpoint: string }>; dataVolumeName: string; environmentName: string };
  const fetchFn = emulatorFetch(s.emulator, cluster.servers);
  const faults = new FaultInjector(s.faults, s.say);
  const counter = new ApiCallCounter();
  const lastError = new Map<string, string>();
  const gatePassedAt: Record<string, number> = {};
  const handlerLog = openHandlerLog(s.logDir, s.name);
  const log = handlerLog.log;
  const mapAbort = new MapAbort(s.model);

  const invoke = async (task: TaskInfo, parameters: Record<string, unknown>): Promise<unknown> => {
    // The LambdaInvoke's Parameters: {FunctionName, Payload}; the handler gets the Payload.
    const params = (parameters.Payload ?? parameters) as Record<string, unknown>;
    mapAbort.checkBefore(task.stateName);
    const item = String((params.server as { serverId?: string } | undefined)?.serverId ?? '');
    try {
      faults.failHandler(task);
    } catch (e) {
      mapAbort.noteError(task.stateName, item, (e as Error).name);
      throw e;
    }
    const clients = new ClientSet({ endpoint: s.endpoint, region: s.region, counter }, task.handler, faults.throttleHooks(task));
    const record = (fields: Record<string, unknown>) => log(JSON.stringify({ time: new Date().toISOString(), state: task.stateName, handler: task.handler, ...fields }));
    record({ event: 'invoke', input: params });
    try {
      let output: unknown;
      if (task.handler.startsWith(HOOK_PREFIX)) {
        output = playHook(s.hooks, task.handler.slice(HOOK_PREFIX.length), params);
      } else {
        const deps: Record<string, unknown> = {
          region: s.region, now: () => new Date(), fetch: fetchFn,
          log: jsonLogger({ handler: task.handler, state: task.stateName, execution: s.name }, log),
          actions: new EmulatorServerActions(s.emulator, clients.ec2, cluster, s.disks),
        };
        for (const key of ['ssm', 'ec2', 'ecs', 'secrets', 'sns'] as const) Object.defineProperty(deps, key, { get: () => clients[key], enumerable: true });
        output = await loadLogic(s.root, task.handler)(deps, params);
      }
      record({ event: 'output', output });
      if (task.handler === 'arango-role-gate') gatePassedAt[String((output as { serverId?: string }).serverId)] = Date.now();
      return { Payload: output, StatusCode: 200, ExecutedVersion: '$LATEST' };
    } catch (e) {
      mapAbort.noteError(task.stateName, item, (e as Error).name);
      record({ event: 'error', errorName: (e as Error).name, errorMessage: (e as Error).message });
      lastError.set(task.stateName, `${(e as Error).name}: ${(e as Error).message}`);
      throw e;
    }
  };

  const { status, error, tracker } = await runTracked({
    model: s.model, input: s.input, name: s.name, executionArn, stateMachineArn: s.stateMachineArn, lastError, say: s.say,
    handlers: Object.fromEntries(s.model.tasks.map((t) => [t.stateName, (p: unknown) => invoke(t, p as Record<string, unknown>)])),
    retryIntervalOverrides: MACHINE_ADAPTATIONS.zeroRetryIntervals.apply(s.model.definition),
  });
  handlerLog.end();
  return {
    status, ...(tracker.endState && { endState: tracker.endState }), ...(error && { error }), stages: tracker.stages,
    transitions: tracker.transitions, retries: tracker.retries, fired: faults.fired, durationMs: Date.now() - t0, executionArn,
    gatePassedAt, awsApiCalls: counter.total,
  };
}
