/**
 * The state machine definition exactly as synthesized, with the template's intrinsics resolved:
 * `Fn::GetAtt [X, Arn]` of a Lambda function becomes a function ARN named after its logical id, other
 * references become readable placeholders. The local rehearsal maps those ARNs to the real handlers.
 */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function functionArn(logicalId: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
}

export function resolvedDefinition(template: any, stateMachineLogicalId?: string): { definition: any; functionArns: Record<string, string> } {
  const machines = Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === 'AWS::StepFunctions::StateMachine');
  const [, machine] = stateMachineLogicalId
    ? [stateMachineLogicalId, template.Resources[stateMachineLogicalId]]
    : machines[0] as [string, any];
  const functionArns: Record<string, string> = {};
  const resolve = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v['Fn::GetAtt']) {
      const [id, attr] = v['Fn::GetAtt'];
      const type = template.Resources[id]?.Type;
      if (type === 'AWS::Lambda::Function' && attr === 'Arn') {
        functionArns[id] = functionArn(id);
        return functionArns[id];
      }
      return `${id}.${attr}`;
    }
    if (v.Ref) {
      if (v.Ref === 'AWS::Partition') return 'aws';
      if (v.Ref === 'AWS::Region') return REGION;
      if (v.Ref === 'AWS::AccountId') return ACCOUNT;
      if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return `ref:${v.Ref}`;
    }
    if (v['Fn::Join']) return v['Fn::Join'][1].map(resolve).join(v['Fn::Join'][0]);
    throw new Error(`unresolvable intrinsic in the definition: ${JSON.stringify(v)}`);
  };
  const body = machine.Properties.DefinitionString;
  return { definition: JSON.parse(resolve(body)), functionArns };
}

/** Every state of a definition (Map iterations included), by name. */
export function statesByName(definition: any): Record<string, any> {
  const states: Record<string, any> = {};
  (function collect(def: any) {
    for (const [name, state] of Object.entries<any>(def.States)) {
      states[name] = state;
      if (state.ItemProcessor) collect(state.ItemProcessor);
    }
  })(definition);
  return states;
}
