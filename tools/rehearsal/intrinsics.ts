/**
 * Resolves the CloudFormation intrinsics of a template fragment against a DEPLOYED stack: Ref of a
 * resource is its physical id (as the emulator created it), Fn::GetAtt is looked up per resource type,
 * pseudo parameters come from the deployment. Anything it cannot resolve throws, naming it: the rehearsal
 * never guesses a value the state machine will act on.
 */
export interface DeployedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
}

export interface ResolveContext {
  readonly region: string;
  readonly account: string;
  readonly resources: ReadonlyMap<string, DeployedResource>;
  /** Stack parameters in force. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Logical id -> literal, for resources the emulator could not create and the harness made instead. */
  readonly substitutes?: Readonly<Record<string, string>>;
}

function arnOf(ctx: ResolveContext, r: DeployedResource): string {
  if (r.physicalId.startsWith('arn:')) return r.physicalId;
  switch (r.type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${r.physicalId}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${ctx.region}:${ctx.account}:key/${r.physicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ctx.account}:role/${r.physicalId}`;
    case 'AWS::SNS::Topic':
      return r.physicalId;
    case 'AWS::ECS::Cluster':
      return `arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/${r.physicalId}`;
    case 'AWS::Logs::LogGroup':
      return `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${r.physicalId}:*`;
    default:
      throw new Error(`no ARN rule for ${r.type} ${r.logicalId} (${r.physicalId})`);
  }
}

/** The value `Ref` gives for a resource type, from the physical id moto records. */
function refOf(r: DeployedResource): string {
  switch (r.type) {
    case 'AWS::ECS::Cluster':
      return r.physicalId.replace(/^arn:.*:cluster\//, '');
    default:
      return r.physicalId;
  }
}

function getAtt(ctx: ResolveContext, r: DeployedResource, attribute: string): string {
  if (attribute === 'Arn') return arnOf(ctx, r);
  if (r.type === 'AWS::ECS::Service' && attribute === 'Name') return r.physicalId.replace(/^.*\//, '');
  if (r.type === 'AWS::ECS::Service' && attribute === 'ServiceArn') return r.physicalId;
  if (r.type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return r.physicalId;
  throw new Error(`Fn::GetAtt ${r.logicalId}.${attribute} (${r.type}) is not resolvable by the rehearsal`);
}

export function resolveIntrinsics(value: unknown, ctx: ResolveContext): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const id = String(o.Ref);
      if (id in pseudo) return pseudo[id];
      if (ctx.substitutes && id in ctx.substitutes) return ctx.substitutes[id];
      if (id in ctx.parameters) return ctx.parameters[id];
      const r = ctx.resources.get(id);
      if (!r) throw new Error(`Ref ${id}: no such deployed resource or parameter`);
      return refOf(r);
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [id, attribute] = (Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'] : String(o['Fn::GetAtt']).split('.')) as [string, string];
      const r = ctx.resources.get(id);
      if (!r) throw new Error(`Fn::GetAtt ${id}.${attribute}: no such deployed resource`);
      return getAtt(ctx, r, attribute);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as unknown[]).map((p) => String(p)).join(sep);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Base64') return resolve(o['Fn::Base64']);
    if (keys.length === 1 && keys[0].startsWith('Fn::')) throw new Error(`${keys[0]} is not resolvable by the rehearsal: ${JSON.stringify(o).slice(0, 200)}`);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}
