import { Aspects, IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acknowledgeRule, awsSolutions } from './acknowledge';

/** Why a statement needs a wildcard: by statement Sid, else by the first action's service prefix. */
export interface WildcardReasons {
  readonly bySid: Record<string, string>;
  readonly byActionPrefix: Record<string, string>;
}

/**
 * cdk-nag v3 wants every IAM5 finding (`Action::x*`, `Resource::...*`) acknowledged one by one. This
 * aspect reads each policy under a scope as cdk-nag does and acknowledges each wildcard with the reason
 * of the statement it comes from; a wildcard without a reason stays a finding.
 */
export function acknowledgeWildcards(scope: IConstruct, reasons: WildcardReasons): void {
  Aspects.of(scope).add(new WildcardAcknowledgements(reasons));
}

class WildcardAcknowledgements implements IAspect {
  constructor(private readonly reasons: WildcardReasons) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) return;
    for (const [finding, reason] of Object.entries(this.findings(node))) acknowledgeRule(node, awsSolutions('IAM5', finding), reason);
    // A reference to another stack's resource (a cluster deployed by another stack) is rendered only after
    // the aspects ran (Fn::ImportValue or Fn::GetStackOutput), and cdk-nag names the finding after that
    // rendering. These acknowledgements are computed when the validation reads them, from the final form.
    node.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, readTimeRecord(() => Object.fromEntries(
      Object.entries(this.findings(node)).map(([finding, reason]) => [awsSolutions('IAM5', finding), reason]))));
  }

  /** Each wildcard finding of the policy, as cdk-nag names it, with the reason of its statement. */
  private findings(node: iam.CfnPolicy): Record<string, string> {
    const out: Record<string, string> = {};
    const doc = Stack.of(node).resolve(node.policyDocument) as { Statement?: PolicyStatementJson[] };
    for (const statement of doc.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const actions = asArray(statement.Action);
      const reason = this.reasonFor(statement.Sid, actions);
      if (!reason) continue;
      for (const a of actions.filter((x) => x.includes('*'))) out[`Action::${a}`] = reason;
      for (const r of asArray(statement.Resource as unknown[]).map(flatten).filter((x) => x.includes('*'))) out[`Resource::${r}`] = reason;
    }
    return out;
  }

  private reasonFor(sid: string | undefined, actions: string[]): string | undefined {
    if (sid && this.reasons.bySid[sid]) return this.reasons.bySid[sid];
    const prefix = actions[0]?.split(':')[0];
    return prefix ? this.reasons.byActionPrefix[prefix] : undefined;
  }
}

interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** cdk-nag's flattening of CloudFormation references (utils/flatten-cfn-reference). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON of any shape
function flatten(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node['Fn::Join']) return node['Fn::Join'][1].map(flatten).join(node['Fn::Join'][0]);
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${flatten(node['Fn::GetAtt'][0])}.${flatten(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}

/** A record whose entries are computed each time it is read (enumerated, looked up or serialized). */
function readTimeRecord(compute: () => Record<string, string>): Record<string, string> {
  return new Proxy({}, {
    ownKeys: () => Reflect.ownKeys(compute()),
    getOwnPropertyDescriptor: (_, key) => {
      const value = compute()[key as string];
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    get: (_, key) => compute()[key as string],
    has: (_, key) => key in compute(),
  });
}
