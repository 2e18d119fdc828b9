/**
 * The settings the synthesized task definition hands a main-group node's Neo4j for the stack's current
 * parameters: the container's environment from the template, resolved, run through the real
 * start-neo4j.sh (container-settings.ts). What the rehearsal's embedded Neo4j starts with.
 */
import { ContainerStart, ContainerStartInput, NodeIdentity, containerStart } from './container-settings';
import { CfnTemplate } from './synth';

/**
 * Resolves what a parameter-only stack update acts through (Ref to a parameter, Fn::FindInMap, Fn::Join)
 * for given parameter values; a parameter not given takes its default.
 */
export function resolveWithParameters(value: unknown, template: Pick<CfnTemplate, 'Parameters'> & { Mappings?: unknown }, parameters: Readonly<Record<string, string>>): unknown {
  const mappings = (template.Mappings ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o && typeof o.Ref === 'string' && template.Parameters && o.Ref in template.Parameters) {
      return parameters[o.Ref] ?? String(template.Parameters[o.Ref].Default);
    }
    if ('Fn::FindInMap' in o) {
      const [map, top, second] = (o['Fn::FindInMap'] as unknown[]).map(resolve) as string[];
      const found = mappings[map]?.[top]?.[second];
      if (found === undefined) throw new Error(`Fn::FindInMap ${map}.${top}.${second} has no value`);
      return found;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}

interface ContainerDefinition {
  Environment?: Array<{ Name: string; Value: unknown }>;
  LogConfiguration?: unknown;
}

/** The Neo4j container whose log stream prefix is `streamPrefix` (the main group's `neo4j-main`, a server's `neo4j-server<N>`), or undefined. */
function mainContainer(template: CfnTemplate, streamPrefix = 'neo4j-main'): ContainerDefinition | undefined {
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
    const container = (r.Properties?.ContainerDefinitions as ContainerDefinition[] | undefined)?.[0];
    if (container && JSON.stringify(container.LogConfiguration ?? {}).includes(`"${streamPrefix}"`)) return container;
  }
  return undefined;
}

/**
 * What a main-group node would start Neo4j with under `parameters`, or undefined when the template has no
 * Neo4jCluster main container.
 */
export function mainNodeStart(
  template: CfnTemplate, parameters: Readonly<Record<string, string>>, node: NodeIdentity, secrets: Readonly<Record<string, string>>,
  volume: Pick<ContainerStartInput, 'unbindMark' | 'dataDir' | 'failingCall'> & { streamPrefix?: string } = {},
): ContainerStart | undefined {
  const container = mainContainer(template, volume.streamPrefix);
  if (!container) return undefined;
  const environment = Object.fromEntries((container.Environment ?? [])
    .map((e) => [e.Name, String(resolveWithParameters(e.Value, template, parameters))]));
  return containerStart({ environment, secrets, node, unbindMark: volume.unbindMark, dataDir: volume.dataDir, failingCall: volume.failingCall });
}
