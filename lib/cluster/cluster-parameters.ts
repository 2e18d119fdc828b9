import { CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClusterMode } from './cluster-mode';
import { DiscoveryVersion } from './discovery-version';
import { Neo4jVersionFamily } from './neo4j-version-family';
import { NodeCapacity } from './node-capacity';

/**
 * Logical names of the stack parameters that drive the cluster. The staged upgrade changes exactly
 * these with parameter-only stack updates (UsePreviousTemplate), as seed 000 does by hand.
 */
export interface Neo4jClusterParameterNames {
  /** Image every node runs (seed step 1). */
  readonly dockerImage: string;
  /** HA or SINGLE for the main group (steps 2 and 4). */
  readonly mode: string;
  /** HA or SINGLE for the slave-only node (steps 2 and 8). */
  readonly slaveMode: string;
  /** Store upgrade on start (steps 2 and 4). */
  readonly allowUpgrade: string;
  /** Main group minimum size. */
  readonly minSize: string;
  /** Main group maximum size (steps 2 and 7). */
  readonly maxSize: string;
  /** Main group desired capacity (steps 2 and 7). */
  readonly desiredCapacity: string;
  /** Slave-only group minimum size. */
  readonly slaveMinSize: string;
  /** Slave-only group maximum size. */
  readonly slaveMaxSize: string;
  /** Slave-only group desired capacity. */
  readonly slaveDesiredCapacity: string;
  /**
   * Version family whose settings the nodes start with ('3.5', '4.4', '5', '2025'): an upgrade across
   * families sets it in the same update as `dockerImage`.
   * @default - the stack has no such parameter (seed 000's own template): the nodes' settings are fixed at
   * deploy time, and an upgrade to another family is refused before any change
   */
  readonly versionFamily?: string;
  /**
   * Discovery service the 5.x settings start ('V1' or 'V2', see `DiscoveryVersion`): the upgrade's plan reads it
   * (5.26 rolls to a calendar version only on V2).
   * @default - the stack has no such parameter: 5.x members run discovery v1
   */
  readonly discoveryVersion?: string;
}

/** Values the parameters default to: the typed props. */
export interface ClusterParameterDefaults {
  readonly dockerImage: string;
  readonly versionFamily: Neo4jVersionFamily;
  readonly mode: ClusterMode;
  readonly slaveMode: ClusterMode;
  readonly allowUpgrade: boolean;
  readonly capacity: NodeCapacity;
  readonly slaveCapacity: NodeCapacity;
  /** Discovery v2: the stack gets a DiscoveryVersion parameter (v1, the default, keeps the template as it was). */
  readonly discoveryVersion?: DiscoveryVersion;
}

/**
 * The parameter names a prefix gives. Logical ids are overridden to these plain names, so they are
 * known at synth (not tokens).
 */
export function parameterNamesFor(prefix: string): Required<Omit<Neo4jClusterParameterNames, 'discoveryVersion'>> & { discoveryVersion: string } {
  return {
    dockerImage: prefix + 'DockerImage',
    versionFamily: prefix + 'VersionFamily',
    mode: prefix + 'Mode',
    slaveMode: prefix + 'SlaveMode',
    allowUpgrade: prefix + 'AllowUpgrade',
    minSize: prefix + 'MinSize',
    maxSize: prefix + 'MaxSize',
    desiredCapacity: prefix + 'DesiredCapacity',
    slaveMinSize: prefix + 'SlaveMinSize',
    slaveMaxSize: prefix + 'SlaveMaxSize',
    slaveDesiredCapacity: prefix + 'SlaveDesiredCapacity',
    discoveryVersion: prefix + 'DiscoveryVersion',
  };
}

/** The CloudFormation parameters of one cluster, created at stack level. */
export class ClusterParameters {
  public readonly names: Neo4jClusterParameterNames;
  public readonly dockerImage: CfnParameter;
  public readonly versionFamily: CfnParameter;
  public readonly mode: CfnParameter;
  public readonly slaveMode: CfnParameter;
  public readonly allowUpgrade: CfnParameter;
  public readonly minSize: CfnParameter;
  public readonly maxSize: CfnParameter;
  public readonly desiredCapacity: CfnParameter;
  public readonly slaveMinSize: CfnParameter;
  public readonly slaveMaxSize: CfnParameter;
  public readonly slaveDesiredCapacity: CfnParameter;
  /** Which discovery the 5.x settings start; only with `DiscoveryVersion.V2` (absent: discovery v1). */
  public readonly discoveryVersion?: CfnParameter;
  /** True when DiscoveryVersion is V2; only with the parameter. */
  public readonly discoveryV2?: CfnCondition;

  constructor(scope: Construct, prefix: string, defaults: ClusterParameterDefaults) {
    const stack = Stack.of(scope);
    const param = (name: string, props: ConstructorParameters<typeof CfnParameter>[2]) => {
      const p = new CfnParameter(stack, prefix + name, props);
      p.overrideLogicalId(prefix + name);
      return p;
    };
    const modeParam = (name: string, value: ClusterMode, description: string) => param(name, {
      type: 'String', default: value.value, allowedValues: ClusterMode.ALLOWED_VALUES, description,
    });
    const sizeParam = (name: string, value: number, description: string) => param(name, {
      type: 'Number', default: value, minValue: 0, description,
    });

    this.dockerImage = param('DockerImage', {
      type: 'String',
      default: defaults.dockerImage,
      allowedPattern: '^[a-z0-9][^\\s@:]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$',
      description: 'Neo4j image every node runs, pinned by tag or digest (seed 000 step 1)',
    });
    this.versionFamily = param('VersionFamily', {
      type: 'String',
      default: defaults.versionFamily.id,
      allowedValues: Neo4jVersionFamily.ALL.map((f) => f.id),
      description: 'Version family whose settings the nodes start with; set with DockerImage when an upgrade crosses families',
    });
    this.mode = modeParam('Mode', defaults.mode, 'Main group: HA cluster member, or SINGLE standalone master (steps 2, 4)');
    this.slaveMode = modeParam('SlaveMode', defaults.slaveMode, 'Slave-only node: HA member that is never master, or SINGLE isolated (steps 2, 8)');
    this.allowUpgrade = param('AllowUpgrade', {
      type: 'String', default: String(defaults.allowUpgrade), allowedValues: ['true', 'false'],
      description: 'Upgrade the store format when Neo4j starts; only with Mode=SINGLE (steps 2, 4)',
    });
    this.minSize = sizeParam('MinSize', defaults.capacity.min, 'Main group minimum size');
    this.maxSize = sizeParam('MaxSize', defaults.capacity.max, 'Main group maximum size (steps 2, 7)');
    this.desiredCapacity = sizeParam('DesiredCapacity', defaults.capacity.desired, 'Main group desired capacity (steps 2, 7)');
    this.slaveMinSize = sizeParam('SlaveMinSize', defaults.slaveCapacity.min, 'Slave-only group minimum size');
    this.slaveMaxSize = sizeParam('SlaveMaxSize', defaults.slaveCapacity.max, 'Slave-only group maximum size');
    this.slaveDesiredCapacity = sizeParam('SlaveDesiredCapacity', defaults.slaveCapacity.desired, 'Slave-only group desired capacity');

    const { discoveryVersion: discoveryName, ...names } = parameterNamesFor(prefix);
    if (defaults.discoveryVersion === DiscoveryVersion.V2) {
      this.discoveryVersion = param('DiscoveryVersion', {
        type: 'String', default: DiscoveryVersion.V2.value, allowedValues: DiscoveryVersion.ALLOWED_VALUES,
        description: 'Discovery service of the 5.x settings (V2: V2_ONLY, endpoints on port 6000); calendar versions always run V2',
      });
      this.discoveryV2 = new CfnCondition(stack, prefix + 'DiscoveryVersionV2', {
        expression: Fn.conditionEquals(this.discoveryVersion.valueAsString, DiscoveryVersion.V2.value),
      });
      this.discoveryV2.overrideLogicalId(prefix + 'DiscoveryVersionV2');
    }
    this.names = this.discoveryVersion ? { ...names, discoveryVersion: discoveryName } : names;
  }
}
