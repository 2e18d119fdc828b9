/**
 * What the CLI reads from an upgrade state machine's definition, by the shape the toolkit gives its
 * states (never by a state's name): the stages (UpgradeStage's `<title>: begin` Pass writing
 * `$.progress.current` and its `<title>: done` Pass writing `$.progress.completed.<key>`), the point of
 * no return (the Pass writing `$.progress.pastPointOfNoReturn`), the forward path, and the defaults the
 * construct baked into the first state (UpgradeStart's `defaults`).
 */

interface AslState {
  readonly Type: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly Next?: string;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Next?: string }>;
}

interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

export interface StageShape {
  readonly key: string;
  readonly name: string;
  readonly seedStep: string;
  readonly beginState: string;
  readonly doneState?: string;
}

export interface MachineShape {
  readonly stages: readonly StageShape[];
  readonly pointOfNoReturn?: string;
  /** Top-level states on the forward path (Next/Default/Choices from StartAt, no Catch). */
  readonly forward: ReadonlySet<string>;
  /** Top-level state names: a state not among them runs inside a Map or Parallel. */
  readonly topLevel: ReadonlySet<string>;
  /** UpgradeStart's `defaults`: the construct's props the execution input overrides. */
  readonly defaults: Record<string, unknown>;
}

export function machineShape(definitionJson: string): MachineShape {
  let definition: AslDefinition;
  try {
    definition = JSON.parse(definitionJson) as AslDefinition;
  } catch (err) {
    throw new Error(`the state machine's definition is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const states = Object.entries(definition.States ?? {});
  const stages: StageShape[] = [];
  for (const [name, s] of states) {
    const p = s.Parameters ?? {};
    if (s.Type === 'Pass' && s.ResultPath === '$.progress.current' && typeof p.key === 'string' && typeof p.seedStep === 'string') {
      const done = states.find(([, d]) => d.Type === 'Pass' && d.ResultPath === `$.progress.completed.${p.key}`)?.[0];
      stages.push({ key: p.key, name: String(p.name ?? p.key), seedStep: p.seedStep, beginState: name, ...(done && { doneState: done }) });
    }
  }
  const forward = reachable(definition);
  const order = [...forward];
  stages.sort((a, b) => order.indexOf(a.beginState) - order.indexOf(b.beginState));
  const start = states.find(([, s]) => s.Type === 'Pass' && s.Parameters?.['request.$'] === '$');
  const defaults = start?.[1].Parameters?.defaults;
  return {
    stages,
    pointOfNoReturn: states.find(([, s]) => s.Type === 'Pass' && s.ResultPath === '$.progress.pastPointOfNoReturn')?.[0],
    forward,
    topLevel: new Set(states.map(([name]) => name)),
    defaults: typeof defaults === 'object' && defaults !== null && !Array.isArray(defaults) ? defaults as Record<string, unknown> : {},
  };
}

/** States reachable from StartAt by Next/Default/Choices, in the order first reached. */
function reachable(def: AslDefinition): Set<string> {
  const seen = new Set<string>();
  const queue = [def.StartAt];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const s = def.States?.[name];
    if (seen.has(name) || !s) continue;
    seen.add(name);
    for (const n of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)]) if (n) queue.push(n);
  }
  return seen;
}
