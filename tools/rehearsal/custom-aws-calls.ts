/**
 * `Custom::AWS` resources (aws-cdk-lib's AwsCustomResource: a Lambda that makes one SDK call) cannot run in
 * moto: it would invoke the provider Lambda, whose answer to the presigned URL never comes, and the stack stays
 * CREATE_IN_PROGRESS. The harness takes them out of the template before CreateStack and makes their onCreate
 * call itself against moto once the stack exists (an adaptation, listed in the deployment's adaptations).
 * Only the calls the library makes are played; any other one is refused by name.
 */
import { SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { ClientSet } from './aws-clients';
import { CfnTemplate } from './synth';

export interface CustomAwsCall {
  readonly id: string;
  /** The resource's `Create` property as the template has it (a JSON string, often an Fn::Join with Refs). */
  readonly create: unknown;
}

/** Removes every Custom::AWS resource from the template; returns the calls to play after CreateStack. */
export function takeCustomAwsResources(template: CfnTemplate): CustomAwsCall[] {
  const calls: CustomAwsCall[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'Custom::AWS') continue;
    calls.push({ id, create: (r.Properties as Record<string, unknown> | undefined)?.Create });
    delete template.Resources[id];
  }
  return calls;
}

/** The onCreate call with its Refs resolved to the deployed resources' physical ids. */
export function resolveCustomCall(create: unknown, physicalId: (logicalId: string) => string | undefined): { service: string; action: string; parameters: Record<string, unknown> } {
  const text = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o && typeof o.Ref === 'string') {
      const id = physicalId(o.Ref);
      if (id === undefined) throw new Error(`Custom::AWS call: Ref ${o.Ref} is not a deployed resource`);
      return id;
    }
    if (o && Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(text).join(sep);
    }
    throw new Error(`Custom::AWS call: cannot resolve ${JSON.stringify(v).slice(0, 200)}`);
  };
  return JSON.parse(text(create));
}

/** Makes the call against moto; the only one the library makes: AutoScaling suspendProcesses. */
export async function playCustomCall(clients: ClientSet, call: ReturnType<typeof resolveCustomCall>): Promise<string> {
  if (call.service === 'AutoScaling' && call.action === 'suspendProcesses') {
    const p = call.parameters as { AutoScalingGroupName: string; ScalingProcesses?: string[] };
    await clients.autoScaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: p.AutoScalingGroupName, ScalingProcesses: p.ScalingProcesses }));
    return `SuspendProcesses ${p.AutoScalingGroupName} ${JSON.stringify(p.ScalingProcesses ?? [])}`;
  }
  throw new Error(`Custom::AWS call ${call.service}.${call.action} is not played by the harness (only AutoScaling.suspendProcesses)`);
}
