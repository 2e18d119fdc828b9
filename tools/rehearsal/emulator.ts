/**
 * Deploys the REAL synthesized template into moto_server with CreateStack, after the few adaptations the
 * emulator forces (each one recorded, with why, for the report):
 * - file assets (the Lambda code) are zipped and put into the bootstrap bucket moto's Lambda reads them from;
 * - SSM parameters the template resolves at deploy time (`AWS::SSM::Parameter::Value<...>`) must exist;
 * - resources moto's CloudFormation cannot create are created by the harness and replaced by their ARN;
 * - every parameter is passed explicitly (moto 5.2.1 answers UsePreviousValue on a defaulted one with 500).
 */
import {
  CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, Parameter,
} from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientSet } from './aws-clients';
import { playCustomCall, resolveCustomCall, takeCustomAwsResources } from './custom-aws-calls';
import { DeployedResource } from './intrinsics';
import { CfnTemplate, FileAsset, SynthStack } from './synth';

export interface Adaptation {
  readonly what: string;
  readonly why: string;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly resources: Map<string, DeployedResource>;
  /** Logical id -> literal the harness substituted (resources moto cannot create). */
  readonly substitutes: Record<string, string>;
  readonly parameters: Record<string, string>;
  /** The template as deployed (after adaptations). */
  readonly template: CfnTemplate;
  /** Secret values the harness generated, by logical id (the admin password reaches Neo4j). */
  readonly secrets: Record<string, Record<string, string>>;
  /** The stack's outputs as moto resolved them, by output name (with the export name when exported). */
  readonly outputs: Record<string, { readonly value: string; readonly exportName?: string }>;
  readonly adaptations: Adaptation[];
  readonly durationMs: number;
}

export interface DeployOptions {
  readonly endpoint: string;
  readonly clients: ClientSet;
  readonly synth: SynthStack;
  /** Stacks of the same app deployed before this one, whose outputs this one may reference. */
  readonly producers?: readonly DeployedStack[];
  /** Directory to keep the zipped assets in (reused across deployments). */
  readonly workDir: string;
  /** Values for secrets the harness creates, by logical id (e.g. the admin password the real Neo4j uses). */
  readonly secretValues?: Record<string, Record<string, string>>;
  /** Parameter values to pass instead of the template defaults. */
  readonly parameterOverrides?: Record<string, string>;
}

/** Resource types moto 5.2.1's CloudFormation does not implement and that matter to the rehearsal. */
const HARNESS_CREATED = new Set(['AWS::SecretsManager::Secret']);
/** Types moto skips with a warning, harmlessly for the rehearsal. */
const SKIPPED_BY_MOTO: Record<string, string> = {
  'AWS::CDK::Metadata': 'CDK usage metadata; nothing reads it',
  'AWS::SNS::TopicPolicy': 'moto enforces no resource policies; the topic itself is created',
  'AWS::CloudWatch::Alarm': 'moto\'s CloudFormation creates no alarms; nothing in the rehearsal reads them',
};

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d.toString(); });
    child.stderr.on('data', (d) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${out.slice(-2000)}`))));
  });
}

/** Zips directory assets (python3's zipfile, which moto's host has anyway) once; returns local files. */
async function packageAssets(assets: FileAsset[], workDir: string): Promise<Map<string, string>> {
  fs.mkdirSync(workDir, { recursive: true });
  const files = new Map<string, string>();
  const toZip: Array<[string, string]> = [];
  for (const a of assets) {
    if (a.packaging === 'file') {
      files.set(a.objectKey, a.sourcePath);
      continue;
    }
    const zip = path.join(workDir, `${a.id}.zip`);
    files.set(a.objectKey, zip);
    if (!fs.existsSync(zip)) toZip.push([a.sourcePath, zip]);
  }
  if (toZip.length > 0) {
    const script = [
      'import os, sys, zipfile',
      'pairs = sys.argv[1:]',
      'for src, dst in zip(pairs[0::2], pairs[1::2]):',
      '    tmp = dst + ".tmp"',
      '    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:',
      '        for base, _, names in os.walk(src):',
      '            for n in sorted(names):',
      '                p = os.path.join(base, n)',
      '                z.write(p, os.path.relpath(p, src))',
      '    os.replace(tmp, dst)',
    ].join('\n');
    await run('python3', ['-c', script, ...toZip.flat()]);
  }
  return files;
}

/** S3 requests without a signature: moto_server routes unsigned requests to S3. */
async function s3Put(endpoint: string, urlPath: string, body?: Buffer): Promise<void> {
  const res = await fetch(`${endpoint}/${urlPath}`, { method: 'PUT', body });
  if (!res.ok && res.status !== 409) throw new Error(`S3 PUT /${urlPath} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
}

function generatePassword(length: number, excludePunctuation: boolean): string {
  const alphabet = excludePunctuation
    ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-.:;<=>?[]^_{|}~';
  const bytes = crypto.randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function replaceRefs(value: unknown, logicalId: string, literal: string): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, logicalId, literal));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length === 1 && o.Ref === logicalId) return literal;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, replaceRefs(v, logicalId, literal)]));
}

/** Creates the stack in moto from the synthesized template; waits for CREATE_COMPLETE. */
export async function deployStack(options: DeployOptions): Promise<DeployedStack> {
  const t0 = Date.now();
  const { clients, synth, endpoint } = options;
  const adaptations: Adaptation[] = [];
  let template = JSON.parse(JSON.stringify(synth.template)) as CfnTemplate;

  // 0. References to the outputs of stacks deployed before this one.
  const crossStack = resolveCrossStackReferences(template, options.producers ?? []);
  template = crossStack.template;
  if (crossStack.resolved > 0) {
    adaptations.push({
      what: `${crossStack.resolved} references to other stacks' outputs (Fn::GetStackOutput, Fn::ImportValue) replaced by the values those stacks' outputs have in moto`,
      why: 'moto 5.2.1\'s CloudFormation does not implement Fn::GetStackOutput (CDK\'s weak cross-stack references); the values are the ones CloudFormation would read',
    });
  }

  // 1. Lambda code: the bootstrap bucket and the zipped assets, as `cdk deploy` would publish them.
  const files = await packageAssets(synth.assets, options.workDir);
  for (const bucket of new Set(synth.assets.map((a) => a.bucketName))) await s3Put(endpoint, bucket);
  for (const a of synth.assets) await s3Put(endpoint, `${a.bucketName}/${a.objectKey}`, fs.readFileSync(files.get(a.objectKey) as string));
  if (synth.assets.length > 0) {
    adaptations.push({
      what: `${synth.assets.length} file assets (the Lambda handler bundles) zipped and put into s3://${[...new Set(synth.assets.map((a) => a.bucketName))].join(', ')}`,
      why: 'there is no `cdk bootstrap`/asset publishing against moto; moto\'s Lambda reads the code from its own S3 at CreateFunction',
    });
  }

  // 2. Deploy-time SSM parameters.
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    if (!p.Type.startsWith('AWS::SSM::Parameter::Value')) continue;
    const ssmName = String(options.parameterOverrides?.[name] ?? p.Default);
    const existing = await clients.ssm.send(new GetParameterCommand({ Name: ssmName })).catch(() => undefined);
    if (existing?.Parameter?.Value) {
      if (p.Type.includes('AWS::EC2::Image::Id')) {
        const images = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [existing.Parameter.Value] }));
        if (!images.Images?.length) throw new Error(`SSM ${ssmName} names ${existing.Parameter.Value}, which moto does not know`);
        adaptations.push({ what: `none for ${ssmName}: moto ships it (${existing.Parameter.Value}, ${images.Images[0].Name})`, why: 'checked, not created' });
      }
      continue;
    }
    if (name === 'BootstrapVersion') {
      await clients.ssm.send(new PutParameterCommand({ Name: ssmName, Value: '30', Type: 'String' }));
      adaptations.push({ what: `SSM ${ssmName} = 30 created`, why: 'the template\'s CheckBootstrapVersion rule reads it; `cdk bootstrap` is never run against moto' });
      continue;
    }
    if (p.Type.includes('AWS::EC2::Image::Id')) {
      const images = await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
      const image = images.Images?.find((i) => /ecs/i.test(i.Name ?? '')) ?? images.Images?.[0];
      if (!image?.ImageId) throw new Error(`moto has no AMI to put into ${ssmName}`);
      await clients.ssm.send(new PutParameterCommand({ Name: ssmName, Value: image.ImageId, Type: 'String' }));
      adaptations.push({ what: `SSM ${ssmName} = ${image.ImageId} created`, why: 'the template resolves the ECS-optimized AMI from SSM at deploy time' });
      continue;
    }
    throw new Error(`template parameter ${name} resolves SSM ${ssmName}, which moto does not have`);
  }

  // 3. Resources moto's CloudFormation cannot create.
  const substitutes: Record<string, string> = {};
  const secrets: Record<string, Record<string, string>> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!HARNESS_CREATED.has(r.Type)) continue;
    const props = (r.Properties ?? {}) as { Description?: string; GenerateSecretString?: Record<string, unknown>; SecretString?: string; Name?: string };
    let value: Record<string, string>;
    if (options.secretValues?.[id]) {
      value = options.secretValues[id];
    } else if (props.GenerateSecretString) {
      const g = props.GenerateSecretString;
      value = JSON.parse(String(g.SecretStringTemplate ?? '{}')) as Record<string, string>;
      value[String(g.GenerateStringKey)] = generatePassword(Number(g.PasswordLength ?? 32), g.ExcludePunctuation === true);
    } else {
      value = { value: String(props.SecretString ?? '') };
    }
    const created = await clients.secrets.send(new CreateSecretCommand({
      Name: props.Name ?? `${synth.stackName}-${id}`,
      Description: props.Description,
      SecretString: JSON.stringify(value),
    }));
    substitutes[id] = created.ARN as string;
    secrets[id] = value;
    delete template.Resources[id];
    template = replaceRefs(template, id, created.ARN as string) as CfnTemplate;
    adaptations.push({
      what: `${r.Type} ${id} created by the harness (CreateSecret ${created.Name}${props.GenerateSecretString ? ', GenerateSecretString honoured' : ''}) and every Ref to it replaced by its ARN`,
      why: `moto 5.2.1's CloudFormation does not implement ${r.Type}; left in, it is skipped and the IAM policies that name it fail with MalformedPolicyDocument`,
    });
  }
  for (const [type, why] of Object.entries(SKIPPED_BY_MOTO)) {
    if (Object.values(template.Resources).some((r) => r.Type === type)) adaptations.push({ what: `${type} left in the template and skipped by moto`, why });
  }

  const customCalls = takeCustomAwsResources(template);
  for (const c of customCalls) {
    adaptations.push({
      what: `Custom::AWS ${c.id} taken out of the template; its onCreate call made by the harness against moto after CreateStack`,
      why: 'moto would invoke the AwsCustomResource provider Lambda, whose answer never comes: the stack would stay CREATE_IN_PROGRESS',
    });
  }

  // 4. CreateStack with every parameter given.
  const parameters: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    parameters[name] = String(options.parameterOverrides?.[name] ?? p.Default ?? '');
  }
  adaptations.push({
    what: 'CreateStack passes every template parameter explicitly (its default unless overridden)',
    why: 'moto 5.2.1 answers a later UsePreviousValue on a parameter that took its default at create with HTTP 500',
  });
  const cfn: CloudFormationClient = clients.cfn;
  await cfn.send(new CreateStackCommand({
    StackName: synth.stackName,
    TemplateBody: JSON.stringify(template),
    Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]): Parameter => ({ ParameterKey, ParameterValue })),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  }));
  const deadline = Date.now() + 120_000;
  let status: string;
  let stackId: string;
  for (;;) {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: synth.stackName }));
    status = out.Stacks?.[0]?.StackStatus ?? '';
    stackId = out.Stacks?.[0]?.StackId ?? '';
    if (!status.endsWith('_IN_PROGRESS')) break;
    if (Date.now() > deadline) throw new Error(`stack ${synth.stackName} still ${status} after 120 s in moto`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (status !== 'CREATE_COMPLETE') throw new Error(`stack ${synth.stackName} ended ${status} in moto`);

  const outputs: DeployedStack['outputs'] = {};
  const deployedStack = (await cfn.send(new DescribeStacksCommand({ StackName: synth.stackName }))).Stacks?.[0];
  for (const o of deployedStack?.Outputs ?? []) {
    outputs[o.OutputKey as string] = { value: o.OutputValue ?? '', ...(o.ExportName && { exportName: o.ExportName }) };
  }
  const resources = new Map<string, DeployedResource>();
  const described = await cfn.send(new DescribeStackResourcesCommand({ StackName: synth.stackName }));
  for (const r of described.StackResources ?? []) {
    resources.set(r.LogicalResourceId as string, { logicalId: r.LogicalResourceId as string, type: r.ResourceType as string, physicalId: r.PhysicalResourceId as string });
  }
  for (const c of customCalls) {
    const played = await playCustomCall(clients, resolveCustomCall(c.create, (id) => resources.get(id)?.physicalId));
    adaptations.push({ what: `Custom::AWS ${c.id} played: ${played}`, why: 'its onCreate call, made by the harness' });
  }
  return { stackName: synth.stackName, stackId, resources, substitutes, parameters, template, secrets, outputs, adaptations, durationMs: Date.now() - t0 };
}

/**
 * Replaces each reference to another stack's output (`Fn::GetStackOutput` {StackName, OutputName}, or
 * `Fn::ImportValue` of an export name) by that output's value in the deployed producer stack. A
 * reference to a stack or output that was not deployed throws, naming it.
 */
export function resolveCrossStackReferences(template: CfnTemplate, producers: readonly DeployedStack[]): { template: CfnTemplate; resolved: number } {
  let resolved = 0;
  const output = (stackName: string, outputName: string) => {
    const value = producers.find((p) => p.stackName === stackName)?.outputs[outputName]?.value;
    if (value === undefined) throw new Error(`Fn::GetStackOutput ${stackName}.${outputName}: no such deployed stack output`);
    return value;
  };
  const exported = (name: string) => {
    const value = producers.flatMap((p) => Object.values(p.outputs)).find((o) => o.exportName === name)?.value;
    if (value === undefined) throw new Error(`Fn::ImportValue ${name}: no deployed stack exports it`);
    return value;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'Fn::GetStackOutput') {
      const ref = o['Fn::GetStackOutput'] as { StackName: string; OutputName: string };
      resolved++;
      return output(ref.StackName, ref.OutputName);
    }
    if (keys.length === 1 && keys[0] === 'Fn::ImportValue' && typeof o['Fn::ImportValue'] === 'string') {
      resolved++;
      return exported(o['Fn::ImportValue']);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return { template: walk(template) as CfnTemplate, resolved };
}

/** Forgets every resource of every service. */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}
