import { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';

/** The registration of `definition` with one container's image replaced (every registrable field kept). */
export function taskDefinitionWithImage(definition: TaskDefinition, containerName: string, image: string): RegisterTaskDefinitionCommandInput {
  const d = definition;
  return {
    family: d.family, taskRoleArn: d.taskRoleArn, executionRoleArn: d.executionRoleArn, networkMode: d.networkMode,
    containerDefinitions: (d.containerDefinitions ?? []).map((c) => (c.name === containerName ? { ...c, image } : c)),
    volumes: d.volumes, placementConstraints: d.placementConstraints, requiresCompatibilities: d.requiresCompatibilities,
    cpu: d.cpu, memory: d.memory, pidMode: d.pidMode, ipcMode: d.ipcMode, proxyConfiguration: d.proxyConfiguration,
    inferenceAccelerators: d.inferenceAccelerators, ephemeralStorage: d.ephemeralStorage, runtimePlatform: d.runtimePlatform,
  };
}

/** Equal registrations, whatever the order of object keys and however absent fields are spelled. */
export function sameTaskDefinition(a: RegisterTaskDefinitionCommandInput, b: RegisterTaskDefinitionCommandInput): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([x], [y]) => x.localeCompare(y)))
    : v));
}
