/**
 * The upgrade state machine as the synthesized template defines it, with its intrinsics resolved against
 * the deployed stack, and what the rehearsal reads from it. Nothing here knows a state's name: stages,
 * the point of no return, the approval, the rollback and the lock are recognised by their shape.
 */
import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { DeployedResource, ResolveContext, resolveIntrinsics } from './intrinsics';
import { definitionLimitFindings } from './service-limits';
import { CfnTemplate } from './synth';

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  Result?: unknown;
  Next?: string;
  End?: boolean;
  Retry?: Array<{ ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  Choices?: Array<{ Next: string; [k: string]: unknown }>;
  Default?: string;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  TimeoutSecondsPath?: string;
  [k: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [k: string]: unknown;
}

export interface TaskInfo {
  readonly stateName: string;
  /** The handler (lambda/<name>) the task invokes. */
  readonly handler: string;
  readonly functionLogicalId: string;
  readonly functionArn: string;
  /** `.waitForTaskToken` integration. */
  readonly waitsForTaskToken: boolean;
  readonly hasRetry: boolean;
  /** A Retry matches ThrottlingException (by name, States.TaskFailed or States.ALL). */
  readonly retriesThrottling: boolean;
  /** On the path a failure takes (rollback/restore/release after a failure), not the forward path. */
  readonly onFailurePath: boolean;
  /** Inside a Map/Parallel iteration. */
  readonly nested: boolean;
}

export interface StageInfo {
  readonly key: string;
  readonly name: string;
  readonly seedStep: string;
  readonly beginState: string;
  readonly doneState: string | undefined;
}

export interface MachineModel {
  readonly logicalId: string;
  readonly definition: AslDefinition;
  readonly tasks: TaskInfo[];
  readonly stages: StageInfo[];
  /** Pass state that sets `$.progress.pastPointOfNoReturn` to true. */
  readonly pointOfNoReturn: string | undefined;
  /** The first Pass state's Parameters: the cluster context, defaults and settings baked at synth. */
  readonly baked: { cluster: Record<string, unknown>; defaults: Record<string, unknown>; settings: Record<string, unknown> };
  /** Fail states, by name, and which are reached only through a Catch. */
  readonly failStates: string[];
  /** Top-level states in forward execution order (Next/Default/Choices from StartAt). */
  readonly order: string[];
}

/** Every state of a definition including Map/Parallel iterations, with whether it is nested. */
export function allStates(def: AslDefinition, nested = false): Array<[string, AslState, boolean]> {
  const out: Array<[string, AslState, boolean]> = [];
  for (const [name, state] of Object.entries(def.States)) {
    out.push([name, state, nested]);
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) out.push(...allStates(inner, true));
    }
  }
  return out;
}

/** Every nested state's name -> the top-level Map or Parallel it runs in (however deep). */
export function topLevelContainers(def: AslDefinition): Map<string, string> {
  const topOf = new Map<string, string>();
  for (const [top, state] of Object.entries(def.States)) {
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) for (const [name] of allStates(inner, true)) topOf.set(name, top);
    }
  }
  return topOf;
}

/**
 * The states on the failure path: those reached from StartAt only through a top-level Catch target (a
 * failure handler's entry), following Next/Default/Choices; a nested state shares its Map's or Parallel's.
 * A Catch target is on the failure path even where a Choice also leads to it (Neo4jRollingUpgrade's
 * settings-family refusal goes on into the rollback), but not where the caught state's own Next is the
 * same state: a failure that is tolerated and goes on along the forward path (UpgradeFinish's thaw: a thaw
 * that fails still releases the lock and publishes the result).
 */
export function failurePathOf(definition: AslDefinition): Set<string> {
  const states = Object.values(definition.States);
  const tolerated = new Set(states.filter((s) => s.Next && (s.Catch ?? []).some((c) => c.Next === s.Next)).map((s) => s.Next as string));
  const entries = new Set(states.flatMap((s) => (s.Catch ?? []).map((c) => c.Next)).filter((n) => !tolerated.has(n)));
  const forward = new Set<string>();
  const stack = [definition.StartAt];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (forward.has(name) || !definition.States[name] || (entries.has(name) && name !== definition.StartAt)) continue;
    forward.add(name);
    const s = definition.States[name];
    for (const n of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)]) if (n) stack.push(n);
  }
  const failure = new Set<string>();
  for (const [name, state] of Object.entries(definition.States)) {
    if (forward.has(name)) continue;
    failure.add(name);
    for (const inner of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (inner) for (const [nested] of allStates(inner, true)) failure.add(nested);
    }
  }
  return failure;
}

export function buildModel(template: CfnTemplate, ctx: ResolveContext, handlerByLogicalId: Map<string, string>): MachineModel {
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const [logicalId, machine] = machines[0];
  const props = machine.Properties ?? {};
  const raw = props.DefinitionString ?? props.Definition;
  const resolved = resolveIntrinsics(raw, ctx);
  const definition = (typeof resolved === 'string' ? JSON.parse(resolved) : resolved) as AslDefinition;

  const arnToLogical = new Map<string, string>();
  for (const [id, r] of ctx.resources) {
    if (r.type === 'AWS::Lambda::Function') arnToLogical.set(functionArnOf(ctx, r), id);
  }
  const failurePath = failurePathOf(definition);
  const tasks: TaskInfo[] = [];
  for (const [name, state, nested] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const arn = String(state.Parameters?.FunctionName ?? state.Resource ?? '');
    const id = arnToLogical.get(arn);
    const handler = id ? handlerByLogicalId.get(id) : undefined;
    if (!id || !handler) throw new Error(`task state "${name}" invokes ${arn}, which is not one of the library's handlers`);
    tasks.push({
      stateName: name,
      handler,
      functionLogicalId: id,
      functionArn: arn,
      waitsForTaskToken: String(state.Resource ?? '').endsWith('.waitForTaskToken'),
      hasRetry: (state.Retry ?? []).length > 0,
      retriesThrottling: (state.Retry ?? []).some((r) => r.ErrorEquals.some((e) => ['ThrottlingException', 'States.TaskFailed', 'States.ALL'].includes(e))),
      onFailurePath: failurePath.has(name),
      nested,
    });
  }

  const top = Object.entries(definition.States);
  const stages: StageInfo[] = [];
  for (const [name, s] of top) {
    const p = s.Parameters ?? {};
    if (s.Type === 'Pass' && s.ResultPath === '$.progress.current' && typeof p.key === 'string' && typeof p.seedStep === 'string') {
      const done = top.find(([, d]) => d.Type === 'Pass' && d.ResultPath === `$.progress.completed.${p.key}`)?.[0];
      stages.push({ key: p.key, name: String(p.name ?? p.key), seedStep: p.seedStep, beginState: name, doneState: done });
    }
  }
  // In execution order along the forward path.
  const order: string[] = [];
  const seen = new Set<string>();
  const walk = (name: string | undefined) => {
    while (name && !seen.has(name) && definition.States[name]) {
      seen.add(name);
      order.push(name);
      const s: AslState = definition.States[name];
      for (const c of s.Choices ?? []) walk(c.Next);
      name = s.Next ?? s.Default;
    }
  };
  walk(definition.StartAt);
  stages.sort((a, b) => order.indexOf(a.beginState) - order.indexOf(b.beginState));

  const pointOfNoReturn = top.find(([, s]) => s.Type === 'Pass' && s.ResultPath === '$.progress.pastPointOfNoReturn' && s.Result === true)?.[0];
  const firstParams = (layoutState(definition)?.Parameters ?? {}) as Record<string, unknown>;
  const baked = {
    cluster: (firstParams.cluster ?? {}) as Record<string, unknown>,
    defaults: (firstParams.defaults ?? {}) as Record<string, unknown>,
    settings: (firstParams.settings ?? {}) as Record<string, unknown>,
  };
  const failStates = top.filter(([, s]) => s.Type === 'Fail').map(([n]) => n);
  return { logicalId, definition, tasks, stages, pointOfNoReturn, baked, failStates, order };
}

export function functionArnOf(ctx: ResolveContext, r: DeployedResource): string {
  return r.physicalId.startsWith('arn:') ? r.physicalId : `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${r.physicalId}`;
}

/** What AWS would refuse in the definition: aws-local-stepfunctions' ASL validation, plus named checks (names, quotas). */
export function aslFindings(definition: AslDefinition): string[] {
  const findings: string[] = [];
  for (const [name] of allStates(definition)) {
    if ([...name].length > 80) findings.push(`state name is ${[...name].length} characters, AWS allows 80: "${name}"`);
  }
  findings.push(...definitionLimitFindings(definition));
  try {
    new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
  } catch (e) {
    findings.push(`ASL validation (aws-local-stepfunctions): ${(e as Error).message.replace(/\s+/g, ' ').trim()}`);
  }
  return findings;
}

export const LOCAL_TIMEOUT_FIELD = 'RehearsalTimeoutSeconds';

/**
 * A Task without a timeout of its own: Step Functions sets none (the Lambda's timeout ends it), the local
 * executor 60 s of real time, which a waiting handler's looks can pass while the harness's nodes boot.
 * A day here (Node timers hold at most about 24.8 days).
 */
export const LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS = 86_400;

/**
 * The copy aws-local-stepfunctions runs. It resolves a Task's TimeoutSecondsPath against the evaluated
 * Parameters, where AWS resolves it against the state input: the path moves into a Parameters field
 * (resolved from the state input, as AWS does) that TimeoutSecondsPath then names; the harness strips it.
 * A Task with no timeout gets LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS instead of the executor's 60 s.
 */
export function localDefinition(definition: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  for (const [, state] of allStates(copy)) {
    if (state.Type === 'Task' && typeof state.TimeoutSecondsPath === 'string' && state.Parameters) {
      state.Parameters[`${LOCAL_TIMEOUT_FIELD}.$`] = state.TimeoutSecondsPath;
      state.TimeoutSecondsPath = `$.${LOCAL_TIMEOUT_FIELD}`;
    } else if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS;
    }
  }
  return copy;
}

/**
 * The state that lays out the state document around the input (UpgradeStart: its Parameters bake the
 * cluster, defaults and settings): the first state on the forward path with a `cluster` parameter, after
 * the guards that run on the raw input (the input-size check).
 */
export function layoutState(definition: { StartAt?: string; States?: Record<string, { Next?: string; Parameters?: unknown }> }):
{ Parameters?: { cluster?: Record<string, unknown> } & Record<string, unknown> } | undefined {
  const seen = new Set<string>();
  for (let name = definition.StartAt; name && !seen.has(name); name = definition.States?.[name]?.Next) {
    seen.add(name);
    const state = definition.States?.[name] as { Parameters?: { cluster?: Record<string, unknown> } & Record<string, unknown> } | undefined;
    if (state?.Parameters && typeof state.Parameters === 'object' && 'cluster' in state.Parameters) return state;
  }
  return undefined;
}
