import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records that a validation rule (cdk-nag AwsSolutions and the like) was looked at on this construct
 * and accepted, with the reason. Kept next to the resource that triggers it.
 */
export function acknowledgeRule(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule, reason });
}

/** cdk-nag's id for an AwsSolutions rule, optionally narrowed to one finding (`Action::x`, `Resource::y`). */
export function awsSolutions(rule: string, finding?: string): string {
  return `AwsSolutions::AwsSolutions-${rule}${finding ? `[${finding}]` : ''}`;
}
