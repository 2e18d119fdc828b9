/**
 * Which cluster of the app the state machine upgrades, read from the synthesized template before any
 * deploy: the context its first state bakes (environment, stack, services) and the logical id of the
 * generated secret its `cluster.credentialsSecretArn` names. With several clusters in one app, the real
 * Neo4j must start with THAT secret's password, not the first one generated.
 */
import { layoutState } from './definition';
import { resolveIntrinsics } from './intrinsics';
import { CfnTemplate } from './synth';

export interface UpgradedCluster {
  readonly environmentName?: string;
  readonly stackName?: string;
  /** The template's AWS::SecretsManager::Secret the credentials come from (undefined: not one of this template's). */
  readonly secretLogicalId?: string;
}

const PLACEHOLDER = 'rehearsal-placeholder:';

/** Reads the baked cluster context with every resource standing for its logical id. */
export function upgradedCluster(template: CfnTemplate): UpgradedCluster {
  const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (!machine) return {};
  const resources = new Map(Object.entries(template.Resources).map(([id, r]) => [id, { logicalId: id, type: r.Type, physicalId: `arn:${PLACEHOLDER}${id}` }]));
  const parameters = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([k, p]) => [k, String(p.Default ?? '')]));
  let definition: Parameters<typeof layoutState>[0];
  try {
    const raw = resolveIntrinsics(machine.Properties?.DefinitionString ?? machine.Properties?.Definition, { region: 'us-east-1', account: '123456789012', resources, parameters });
    definition = typeof raw === 'string' ? JSON.parse(raw) : raw as typeof definition;
  } catch {
    return {}; // e.g. an imported value: the cluster lives in another stack
  }
  const cluster = layoutState(definition)?.Parameters?.cluster ?? {};
  const secret = String(cluster.credentialsSecretArn ?? '');
  const id = secret.startsWith(`arn:${PLACEHOLDER}`) ? secret.slice(`arn:${PLACEHOLDER}`.length) : undefined;
  return {
    ...(typeof cluster.environmentName === 'string' && { environmentName: cluster.environmentName }),
    ...(typeof cluster.stackName === 'string' && { stackName: cluster.stackName }),
    ...(id && template.Resources[id]?.Type === 'AWS::SecretsManager::Secret' && { secretLogicalId: id }),
  };
}
