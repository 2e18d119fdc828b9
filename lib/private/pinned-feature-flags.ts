import { IConstruct } from 'constructs';

/**
 * The CDK feature flags whose value changes what the library's constructs synthesize, at the value
 * `cdk init` writes today. A construct library must not depend on its consumer's cdk.json: a flag set
 * on the construct's own node wins over the app's context for everything inside it, so an app with no
 * flags, the recommended flags or its own older ones all get the same resources.
 * `@aws-cdk/aws-iam:minimizePolicies` cannot be pinned (it is read at the stack) and only orders and merges
 * statements; test/packaging/flagless-app.test.ts compares the grants with and without the recommended flags.
 */
const PINNED_FEATURE_FLAGS: { readonly [flag: string]: boolean } = {
  // ECS services: no DeploymentController property next to the circuit breaker (ECS is the default).
  '@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker': true,
  // ECS services: no empty deployment alarm configuration.
  '@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm': true,
  // ECS services: an explicit empty LoadBalancers list.
  '@aws-cdk/aws-ecs:removeEmptyLoadBalancers': true,
  // Publishing to the SNS topic encrypted with alias/aws/sns is granted its KMS use.
  '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true,
};

/** Pins the flags on a construct; call it first in the constructor, before any child exists. */
export function pinFeatureFlags(scope: IConstruct): void {
  for (const [flag, value] of Object.entries(PINNED_FEATURE_FLAGS)) {
    scope.node.setContext(flag, value);
  }
}
