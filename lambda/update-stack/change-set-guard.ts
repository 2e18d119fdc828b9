import { Change } from '@aws-sdk/client-cloudformation';

/**
 * Resource types whose replacement or removal costs data or availability: the key that encrypts the data
 * volumes (a new key cannot decrypt them), the credentials secret (a new one has a new password the running
 * database does not know), the node groups and the ECS cluster and services (all nodes at once), and the
 * launch template the running nodes were started from.
 */
export const GUARDED_RESOURCE_TYPES: readonly string[] = [
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::ECS::Service',
  'AWS::ECS::Cluster',
  'AWS::EC2::LaunchTemplate',
];

/** What the execution input may add to the guard. */
export interface ChangeSetGuardInput {
  /** More resource types to guard, e.g. `AWS::EFS::FileSystem`. */
  readonly resourceTypes?: string[];
  /** Logical ids to guard whatever their type. */
  readonly logicalResourceIds?: string[];
}

/** One resource change of a change set, as the output and the logs show it. */
export interface ChangeSummary {
  readonly logicalResourceId: string;
  readonly resourceType: string;
  /** Add, Modify, Remove, Import, Dynamic. */
  readonly action: string;
  /** Modify only: True, False or Conditional. */
  readonly replacement?: string;
  readonly physicalResourceId?: string;
  /** What causes the change: `<property> <- <source> <entity>` per detail, e.g. `ClusterName <- ParameterReference EcsClusterName`. */
  readonly causes: string[];
  /** The guard covers this resource and the change would replace or remove it. */
  readonly guarded: boolean;
}

/** Summarises a change set's resource changes and marks those the guard refuses. */
export function reviewChanges(changes: Change[], guard: ChangeSetGuardInput = {}): ChangeSummary[] {
  const types = new Set([...GUARDED_RESOURCE_TYPES, ...(guard.resourceTypes ?? [])]);
  const ids = new Set(guard.logicalResourceIds ?? []);
  return changes.filter((c) => c.ResourceChange).map((c) => {
    const rc = c.ResourceChange!;
    const logicalResourceId = rc.LogicalResourceId ?? '?';
    const resourceType = rc.ResourceType ?? '?';
    const action = rc.Action ?? '?';
    // Conditional: CloudFormation cannot tell before executing, so it may replace; treat it as a replacement.
    const destructive = action === 'Remove' || rc.Replacement === 'True' || rc.Replacement === 'Conditional';
    return {
      logicalResourceId, resourceType, action,
      ...(rc.Replacement && { replacement: rc.Replacement }),
      ...(rc.PhysicalResourceId && { physicalResourceId: rc.PhysicalResourceId }),
      causes: (rc.Details ?? []).map((d) => {
        const target = [d.Target?.Name ?? d.Target?.Attribute, d.Target?.RequiresRecreation && `(recreation ${d.Target.RequiresRecreation})`]
          .filter(Boolean).join(' ');
        return `${target || '?'} <- ${[d.ChangeSource, d.CausingEntity].filter(Boolean).join(' ') || d.Evaluation || '?'}`;
      }),
      guarded: destructive && (types.has(resourceType) || ids.has(logicalResourceId)),
    };
  });
}

/** One line per refused change: resource, type, action/replacement and what causes it. */
export function describeRefusal(refused: ChangeSummary[]): string {
  return refused.map((c) => {
    const what = c.action === 'Remove' ? 'Remove' : `${c.action} with Replacement ${c.replacement}`;
    const why = c.causes.length > 0 ? `; caused by ${c.causes.join(', ')}` : '';
    return `${c.logicalResourceId} (${c.resourceType}${c.physicalResourceId ? ` ${c.physicalResourceId}` : ''}): ${what}${why}`;
  }).join('; ');
}
