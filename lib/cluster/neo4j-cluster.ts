import { Annotations, CfnCondition, CfnParameter, Fn, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ClusterMode } from './cluster-mode';
import { ClusterParameters, Neo4jClusterParameterNames, parameterNamesFor } from './cluster-parameters';
import { DataVolumeOptions } from './data-volume';
import { DiscoveryVersion } from './discovery-version';
import { familySettingsEnvironment } from './family-settings-environment';
import { Neo4jVersionFamily, NodeGroup } from './neo4j-version-family';
import { BOOTSTRAP_DIR, nodeBootstrapCommands } from './node-bootstrap';
import { CLUSTER_IDENTITY_TAG, defaultClusterIdentity, ownVolumeCondition, validateClusterIdentity } from './cluster-identity';
import { recordClaims, refuseCollisions } from './cluster-collisions';
import { NodeCapacity } from './node-capacity';
import { serverClaimParameterPrefix } from './server-claim-ledger';
import {
  Neo4jClusterServer, SERVER_ATTRIBUTE, SERVER_TAG, ServerLayout, serverDesiredCountParameterName, serverImageParameterName, serverImageRoles,
  serverVersionFamilyParameterName,
} from './server-layout';
import { suspendAzRebalance } from './suspend-az-rebalance';
import { BOLT_PORT, HTTP_PORT, allowNeo4jClients } from './neo4j-ports';
import { INeo4jUpgradeTarget } from './neo4j-upgrade-target';
import { NEO4J_GROUP_ROLES, neo4jDataVolumes, neo4jNodeGroups, neo4jStackParameters } from './neo4j-target-view';
import { DataVolumePool, UpgradeNodeGroup } from '../toolkit/upgrade-target';
import * as validate from './validate-cluster-props';
import { acknowledgeRule, awsSolutions } from '../private/acknowledge';
import { pinFeatureFlags } from '../private/pinned-feature-flags';
import { acknowledgeWildcards } from '../private/wildcard-acknowledgements';

/** Props of {@link Neo4jCluster}. */
export interface Neo4jClusterProps {
  /** Neo4j image every node runs, pinned by tag or digest (e.g. `neo4j:3.5.35-enterprise`). */
  readonly dockerImage: string;
  /** Which Neo4j settings the typed modes map to. */
  readonly versionFamily: Neo4jVersionFamily;
  /** Environment name: the `Environment` tag of data volumes, and part of resource names. */
  readonly environmentName: string;
  /**
   * Mode of the main group.
   * @default ClusterMode.HA
   */
  readonly mode?: ClusterMode;
  /**
   * Mode of the slave-only node.
   * @default ClusterMode.HA
   */
  readonly slaveMode?: ClusterMode;
  /**
   * Upgrade the store format when Neo4j starts. Only with `mode: ClusterMode.SINGLE`.
   * @default false
   */
  readonly allowUpgrade?: boolean;
  /**
   * Size of the main group.
   * @default - { min: 1, max: 3, desired: 3 }
   */
  readonly capacity?: NodeCapacity;
  /**
   * Size of the slave-only group.
   * @default - { min: 1, max: 1, desired: 1 }
   */
  readonly slaveCapacity?: NodeCapacity;
  /**
   * Data volume settings.
   * @default - 100 GiB encrypted gp3 volumes named `neo4j-<environmentName>-data`
   */
  readonly dataVolume?: DataVolumeOptions;
  /**
   * Instance type of every node.
   * @default r6i.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * VPC to run in; nodes go in its private subnets.
   * @default - a new VPC over 3 AZs (the region's first three; `Fn::GetAZs` picks them at deploy time in
   * an environment-agnostic stack) with one NAT gateway and flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Secret holding `{"username": ..., "password": ...}` for the Neo4j admin user. It reaches the
   * container as an ECS secret, never as plaintext in the task definition.
   * @default - a generated secret with username `neo4j`
   */
  readonly adminCredentials?: secretsmanager.ISecret;
  /**
   * Memory reserved for the Neo4j container, in MiB.
   * @default 4096
   */
  readonly memoryReservationMiB?: number;
  /**
   * Prefix of the stack parameter names, for more than one cluster in a stack.
   * @default - no prefix: `DockerImage`, `Mode`, ...
   */
  readonly parameterPrefix?: string;
  /**
   * Lowest share of a group's nodes kept running while ECS rolls a new task definition (image or
   * mode change). With 3 nodes, 60 rolls one node at a time.
   * @default 60
   */
  readonly rollingMinHealthyPercent?: number;
  /**
   * The identity that makes this cluster's data volumes, snapshots, instances and upgrade lock its own:
   * the value of the `neo4j-upgrades:cluster` tag. Nodes claim only volumes with it (besides the `Name` and
   * `Environment` tags), so two clusters in one region never share a volume, even with the same tags.
   * Pin it to keep a cluster's volumes when its stack or construct path changes.
   * @default - `<stack name>/<8 hex digits of the construct path>`, unique in a region
   */
  readonly clusterIdentity?: string;
  /**
   * Also claim data volumes that carry the `Name` and `Environment` tags but no identity tag at all (volumes
   * made before clusters had identities), and tag each one claimed with this cluster's identity. Set it for
   * the first deployment of a cluster created with an earlier version of this library, and only when no
   * other cluster in the region has volumes with the same `Name` and `Environment` tags.
   * @default false
   */
  readonly adoptUntaggedVolumes?: boolean;
  /**
   * How the main members run on ECS. `ServerLayout.SERVICE_PER_SERVER` gives each main member its own
   * service and `<prefix>Server<N>Image` parameter, for the rolling upgrade (`Neo4jRollingUpgrade`); it
   * needs a fixed main group (`capacity` min = max = desired, one server per member) and no slave-only node
   * (`slaveCapacity` min and desired 0).
   * @default ServerLayout.DAEMON_PER_GROUP
   */
  readonly serverLayout?: ServerLayout;
  /**
   * Which discovery service the 5.x members run. `DiscoveryVersion.V2` (Neo4j 5.23 or later, or a calendar
   * version) adds the `<prefix>DiscoveryVersion` stack parameter (default V2) and starts 5.x members with
   * `dbms.cluster.discovery.version=V2_ONLY` and `dbms.cluster.discovery.v2.endpoints` on port 6000: the
   * rolling upgrade from 5.26 to a calendar version needs it. In the per-server layout each server also gets
   * a `<prefix>Server<N>VersionFamily` parameter, so the roll changes one server's settings family at a time.
   * @default DiscoveryVersion.V1 (the template is as it was before this prop)
   */
  readonly discoveryVersion?: DiscoveryVersion;
  /**
   * Spare server slots for the rolling upgrade with replaceable resources (`Neo4jRollingUpgrade`
   * `serverReplacement: ServerReplacement.NEW_MEMBER_FIRST`): `1` adds one more server service (slot N + 1,
   * desired count 0, its own `<prefix>Server<N+1>Image`), a `<prefix>Server<K>DesiredCount` parameter per slot
   * (`1` runs it, `0` stops it: a parameter-only update starts or stops a slot), the main group's `MaxSize`
   * default one above its size (room for the new member's instance) and `AZRebalance` suspended on the main
   * group (the surge and the retirement leave the AZs unbalanced on purpose; a rebalance would terminate a
   * member at random). Needs `ServerLayout.SERVICE_PER_SERVER`. `0` keeps the template as it was before this prop.
   * @default 0
   */
  readonly spareServerSlots?: number;
}

const DEFAULT_CAPACITY: NodeCapacity = { min: 1, max: 3, desired: 3 };
const DEFAULT_SLAVE_CAPACITY: NodeCapacity = { min: 1, max: 1, desired: 1 };
/** ECS instance attribute telling the groups apart; services are placed by it. */
const GROUP_ATTRIBUTE = 'neo4j.group';

/**
 * A Neo4j cluster on Amazon ECS (EC2 launch type), built for seed 000's staged upgrade: a main group
 * of HA members and a slave-only node, each on its own Auto Scaling group and ECS daemon service.
 * Mode, slave mode, allow-upgrade, image and capacities are typed props and also stack parameters,
 * so a parameter-only stack update reconfigures the running cluster. Each node claims a tagged EBS
 * data volume in its own AZ at boot; volumes outlive the stack.
 */
export class Neo4jCluster extends Construct implements INeo4jUpgradeTarget {
  /** The VPC the nodes run in. */
  public readonly vpc: ec2.IVpc;
  /** Security group of every node. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The ECS cluster both groups join. */
  public readonly ecsCluster: ecs.Cluster;
  /** Auto Scaling group of the main HA members. */
  public readonly mainAutoScalingGroup: autoscaling.AutoScalingGroup;
  /** Auto Scaling group of the slave-only node. */
  public readonly slaveAutoScalingGroup: autoscaling.AutoScalingGroup;
  /**
   * Daemon service running Neo4j on every main member; in the `ServerLayout.SERVICE_PER_SERVER` layout,
   * server 1's service (`serverServices` holds them all).
   */
  public readonly mainService: ecs.Ec2Service;
  /** How the main members run on ECS. */
  public readonly serverLayout: ServerLayout;
  /** The main members as servers, in server order; empty unless the layout is `ServerLayout.SERVICE_PER_SERVER`. */
  public readonly servers: Neo4jClusterServer[];
  /** Spare server slots (`spareServerSlots`): `servers` and `serverServices` hold the servers and the spare slots. */
  public readonly spareServerSlots: number;
  /** One ECS service per server, in server order; empty unless the layout is `ServerLayout.SERVICE_PER_SERVER`. */
  public readonly serverServices: ecs.Ec2Service[];
  /** Daemon service running Neo4j on the slave-only node. */
  public readonly slaveService: ecs.Ec2Service;
  /** Admin credentials secret (`username`, `password`). */
  public readonly adminCredentials: secretsmanager.ISecret;
  /** The stack parameters that drive the cluster. */
  public readonly parameters: ClusterParameters;
  /** Logical names of those parameters, for upgrade constructs. */
  public readonly parameterNames: Neo4jClusterParameterNames;
  /** The `Name` tag of claimable data volumes. */
  public readonly dataVolumeName: string;
  /** The `Environment` tag of data volumes. */
  public readonly environmentName: string;
  /** The family the cluster is deployed with: the VersionFamily parameter's default (the settings follow the parameter). */
  public readonly versionFamily: Neo4jVersionFamily;
  /** The discovery service the 5.x members start with (`DiscoveryVersion.V2`: the DiscoveryVersion parameter's default). */
  public readonly discoveryVersion: DiscoveryVersion;
  /** KMS key of the data volumes, if one was given. */
  public readonly dataVolumeKey?: kms.IKey;
  /** Bolt port every node listens on. */
  public readonly boltPort = BOLT_PORT;
  /** The stack that holds the cluster and its parameters. */
  public readonly stackName: string;
  /** Name of the main group's Auto Scaling group. */
  public readonly mainAutoScalingGroupName: string;
  /** Name of the slave-only group's Auto Scaling group. */
  public readonly slaveAutoScalingGroupName: string;
  /** Name of the ECS cluster. */
  public readonly ecsClusterName: string;
  /** Name of the main members' ECS service. */
  public readonly mainServiceName: string;
  /** Name of the slave-only node's ECS service. */
  public readonly slaveServiceName: string;
  /** Instance, task and execution roles CloudFormation passes when a parameter change replaces them. */
  public readonly passedRoleArns: string[];
  // Optional only because INeo4jUpgradeTarget's are (an imported cluster may predate identities): always set here.
  /** The `neo4j-upgrades:cluster` tag of this cluster's instances, data volumes and snapshots (always set). */
  public readonly clusterIdentity?: string;
  /** Whether nodes also claim (and tag) data volumes without an identity tag (always set). */
  public readonly adoptUntaggedVolumes?: boolean;
  /**
   * In the `ServerLayout.SERVICE_PER_SERVER` layout, the SSM path of the server-number ledger: each boot's
   * claim of a server number is a parameter `<path>/<server>/<generation>` holding the volume id, created
   * once and never overwritten; the holder of a server is the value at its highest generation. Read it to
   * see which volume claimed which server, and when. Undefined in the daemon layout.
   */
  public readonly serverClaimParameterPrefix?: string;
  private readonly identity: string;

  constructor(scope: Construct, id: string, props: Neo4jClusterProps) {
    super(scope, id);
    pinFeatureFlags(this);
    const resolved = this.validateProps(props);

    this.versionFamily = props.versionFamily;
    this.environmentName = props.environmentName;
    this.dataVolumeName = resolved.dataVolumeName;
    this.dataVolumeKey = props.dataVolume?.encryptionKey;
    this.identity = resolved.clusterIdentity;
    this.clusterIdentity = resolved.clusterIdentity;
    this.adoptUntaggedVolumes = resolved.adoptUntaggedVolumes;
    this.serverClaimParameterPrefix = resolved.serverCount === undefined ? undefined : serverClaimParameterPrefix(this, this.identity);

    this.parameters = new ClusterParameters(this, props.parameterPrefix ?? '', {
      dockerImage: props.dockerImage,
      versionFamily: props.versionFamily,
      mode: resolved.mode,
      slaveMode: resolved.slaveMode,
      allowUpgrade: resolved.allowUpgrade,
      // A spare slot needs room for one more instance while a new member joins (MaxSize's default).
      capacity: { ...resolved.capacity, max: resolved.capacity.max + resolved.spareServerSlots },
      slaveCapacity: resolved.slaveCapacity,
      discoveryVersion: props.discoveryVersion,
    });
    this.discoveryVersion = props.discoveryVersion ?? DiscoveryVersion.V1;
    this.parameterNames = this.parameters.names;

    this.vpc = props.vpc ?? this.createVpc();
    this.securityGroup = this.createSecurityGroup();
    this.adminCredentials = props.adminCredentials ?? new secretsmanager.Secret(this, 'AdminCredentials', {
      description: `Neo4j admin credentials (${props.environmentName})`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'neo4j' }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });

    if (!props.adminCredentials) {
      acknowledgeRule(this.adminCredentials, awsSolutions('SMG4'),
        'Rotating the Neo4j admin password needs ALTER USER on the database; pass adminCredentials with your own rotation');
    }

    this.ecsCluster = new ecs.Cluster(this, 'EcsCluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const instanceType = props.instanceType ?? new ec2.InstanceType('r6i.large');
    this.mainAutoScalingGroup = this.createGroup('MainGroup', NodeGroup.MAIN, instanceType, {
      min: this.parameters.minSize.valueAsNumber,
      max: this.parameters.maxSize.valueAsNumber,
      desired: this.parameters.desiredCapacity.valueAsNumber,
    });
    this.slaveAutoScalingGroup = this.createGroup('SlaveGroup', NodeGroup.SLAVE, instanceType, {
      min: this.parameters.slaveMinSize.valueAsNumber,
      max: this.parameters.slaveMaxSize.valueAsNumber,
      desired: this.parameters.slaveDesiredCapacity.valueAsNumber,
    });
    this.configureBootstrap(NodeGroup.MAIN, this.mainAutoScalingGroup, resolved);
    this.configureBootstrap(NodeGroup.SLAVE, this.slaveAutoScalingGroup, resolved);
    if (resolved.spareServerSlots > 0) suspendAzRebalance(this, 'MainGroupAzRebalanceSuspended', this.mainAutoScalingGroup);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeWildcards(this, {
      bySid: {
        RegisterWithTheCluster: 'The ECS agent reports task and container state through the ecs:Submit* family, on this cluster only',
        PollForTasks: 'ecs:Poll takes no resource ARN; it is conditioned on this cluster',
        AgentEndpointsAndLogs: 'The ECS agent endpoints, ECR authorization and log streams of the agent support no resource-level permissions',
        DescribeForVolumeClaimAndDiscovery: 'ec2:DescribeVolumes and ec2:DescribeInstances support no resource-level permissions',
        AttachClusterDataVolumes: 'Volumes are created by nodes at boot, so their ids are unknown; attaching is conditioned on the Environment and cluster identity tags',
        AdoptUntaggedDataVolumes: 'Volumes made before clusters had identities have ids unknown at synth; tagging is conditioned on their Environment tag and limited to the identity tag',
        AttachToOwnInstance: 'Instances come and go with the Auto Scaling group; attaching is conditioned on the cluster tag',
        CreateTaggedDataVolume: 'A new volume has no id before it exists; creating is conditioned on the Name and Environment tags',
        TagOnCreateOnly: 'Tags only volumes being created (ec2:CreateAction = CreateVolume)',
        TagServerNumber: 'Volume ids are unknown at synth; tagging is conditioned on the cluster identity and limited to the server tag',
        ServerClaimLedger: 'Claims are parameters created at boot under the cluster\'s own ledger path (<path>/<server>/<generation>), unknown at synth',
      },
      byActionPrefix: {
        kms: 'EBS encryption needs data keys and grants from the data volume key',
        logs: 'The execution role writes to the cluster log group\'s streams, created at run time',
        ecr: 'ECR authorization tokens have no resource-level permissions',
      },
    });
    this.serverLayout = resolved.serverLayout;
    this.serverServices = resolved.serverCount === undefined ? [] : this.createServerServices(resolved, logGroup, props.parameterPrefix ?? '');
    this.mainService = this.serverServices[0] ?? this.createService('Main', NodeGroup.MAIN, this.parameters.mode, resolved, logGroup);
    this.slaveService = this.createService('Slave', NodeGroup.SLAVE, this.parameters.slaveMode, resolved, logGroup);
    this.servers = this.serverServices.map((service, index) => ({
      serverNumber: index + 1,
      serviceName: service.serviceName,
      imageParameterName: serverImageParameterName(props.parameterPrefix ?? '', index + 1),
      ...(this.parameters.discoveryV2 && { versionFamilyParameterName: serverVersionFamilyParameterName(props.parameterPrefix ?? '', index + 1) }),
      ...(resolved.spareServerSlots > 0 && { desiredCountParameterName: serverDesiredCountParameterName(props.parameterPrefix ?? '', index + 1) }),
    }));
    this.spareServerSlots = resolved.spareServerSlots;

    this.stackName = Stack.of(this).stackName;
    this.mainAutoScalingGroupName = this.mainAutoScalingGroup.autoScalingGroupName;
    this.slaveAutoScalingGroupName = this.slaveAutoScalingGroup.autoScalingGroupName;
    this.ecsClusterName = this.ecsCluster.clusterName;
    this.mainServiceName = this.mainService.serviceName;
    this.slaveServiceName = this.slaveService.serviceName;
    this.passedRoleArns = [
      this.mainAutoScalingGroup.role.roleArn, this.slaveAutoScalingGroup.role.roleArn,
      this.mainService.taskDefinition.taskRole.roleArn, this.slaveService.taskDefinition.taskRole.roleArn,
      this.mainService.taskDefinition.obtainExecutionRole().roleArn, this.slaveService.taskDefinition.obtainExecutionRole().roleArn,
      ...this.serverServices.slice(1).flatMap((service) => [
        service.taskDefinition.taskRole.roleArn, service.taskDefinition.obtainExecutionRole().roleArn,
      ]),
    ];
  }

  /** The stack parameters by role, for generic procedures (with `server<N>Image` per server in the per-server layout). */
  public get stackParameters(): { [role: string]: string } {
    return { ...neo4jStackParameters(this), ...serverImageRoles(this.servers) };
  }
  /**
   * The main and slave-only groups as generic node groups; in the per-server layout the main group is its
   * Auto Scaling group alone, and each server a group (`server<N>`) of its own service.
   */
  public get nodeGroups(): UpgradeNodeGroup[] {
    const groups = neo4jNodeGroups(this);
    if (this.servers.length === 0) return groups;
    return [
      ...groups.map((g) => (g.role === NEO4J_GROUP_ROLES.main ? { role: g.role, autoScalingGroupName: g.autoScalingGroupName } : g)),
      ...this.servers.map((server) => ({ role: `server${server.serverNumber}`, ecsServiceName: server.serviceName })),
    ];
  }
  /** The tagged data volumes the nodes claim. */
  public get dataVolumes(): DataVolumePool | undefined { return neo4jDataVolumes(this); }
  /** The admin credentials, for generic procedures. */
  public get credentials(): secretsmanager.ISecret | undefined { return this.adminCredentials; }
  /** The cluster's identity names it among others in the region (default lock name, messages). */
  public get targetName(): string { return this.identity; }

  /** Allows Bolt (7687) and HTTP (7474) from a peer, e.g. an application or the upgrade's Lambdas. */
  public allowClientsFrom(peer: ec2.IConnectable): void {
    allowNeo4jClients(this.securityGroup, peer);
  }

  private validateProps(props: Neo4jClusterProps) {
    const mode = props.mode ?? ClusterMode.HA;
    const slaveMode = props.slaveMode ?? ClusterMode.HA;
    const allowUpgrade = props.allowUpgrade ?? false;
    const capacity = props.capacity ?? DEFAULT_CAPACITY;
    const slaveCapacity = props.slaveCapacity ?? DEFAULT_SLAVE_CAPACITY;
    const volume = props.dataVolume ?? {};
    const sizeGiB = volume.sizeGiB ?? 100;
    const volumeType = volume.volumeType ?? ec2.EbsDeviceVolumeType.GP3;

    validate.validateDockerImage(props.dockerImage, props.versionFamily);
    validate.validateDiscoveryVersion(props.discoveryVersion, props.dockerImage, props.versionFamily);
    validate.validateEnvironmentName(props.environmentName);
    validate.validateCapacity('capacity', capacity, 1);
    validate.validateCapacity('slaveCapacity', slaveCapacity, 0);
    validate.validateAllowUpgrade(allowUpgrade, mode);
    validate.validateDataVolume(volume, sizeGiB, volumeType);
    validate.validateParameterPrefix(props.parameterPrefix ?? '');
    validate.validatePositiveInteger('memoryReservationMiB', props.memoryReservationMiB);
    validate.validatePercent('rollingMinHealthyPercent', props.rollingMinHealthyPercent);
    validateClusterIdentity('clusterIdentity', props.clusterIdentity);
    const serverLayout = props.serverLayout ?? ServerLayout.DAEMON_PER_GROUP;
    const fixedServers = serverLayout === ServerLayout.SERVICE_PER_SERVER
      ? validate.validateFixedServers(capacity, slaveCapacity)
      : undefined;
    const spareServerSlots = validate.validateSpareServerSlots(props.spareServerSlots, fixedServers);
    // Slots: the servers and the spares (claim-server-number.sh numbers volumes 1..slots).
    const serverCount = fixedServers === undefined ? undefined : fixedServers + spareServerSlots;
    const dataVolumeName = volume.name ?? `neo4j-${props.environmentName}-data`;
    const clusterIdentity = props.clusterIdentity ?? defaultClusterIdentity(this);
    const parameterPrefix = props.parameterPrefix ?? '';
    const claims = {
      environmentName: props.environmentName, dataVolumeName, clusterIdentity, parameterPrefix,
      parameterNames: [
        ...Object.values(parameterNamesFor(parameterPrefix)),
        ...Array.from({ length: serverCount ?? 0 }, (_, i) => serverImageParameterName(parameterPrefix, i + 1)),
        ...Array.from({ length: serverCount ?? 0 }, (_, i) => serverVersionFamilyParameterName(parameterPrefix, i + 1)),
        ...Array.from({ length: spareServerSlots > 0 ? serverCount ?? 0 : 0 }, (_, i) => serverDesiredCountParameterName(parameterPrefix, i + 1)),
      ],
    };
    refuseCollisions(this, claims);
    recordClaims(this, claims);

    return {
      clusterIdentity,
      serverLayout,
      serverCount,
      spareServerSlots,
      adoptUntaggedVolumes: props.adoptUntaggedVolumes ?? false,
      mode, slaveMode, allowUpgrade, capacity, slaveCapacity, sizeGiB, volumeType,
      volume,
      dataVolumeName,
      encrypted: volume.encrypted ?? true,
      mountPoint: volume.mountPoint ?? '/var/lib/neo4j-data',
      memoryReservationMiB: props.memoryReservationMiB ?? 4096,
      rollingMinHealthyPercent: props.rollingMinHealthyPercent ?? 60,
      dockerImage: props.dockerImage,
    };
  }

  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ...this.threeAvailabilityZones(),
      natGateways: 1,
      restrictDefaultSecurityGroup: false,
    });
    vpc.addFlowLog('FlowLog');
    return vpc;
  }

  /**
   * Three AZs wherever the stack is deployed. A stack with an account and region gets the first three of
   * its region (looked up by the CDK CLI); an environment-agnostic stack knows only two at synth, so the
   * VPC names three that CloudFormation picks at deploy time.
   */
  private threeAvailabilityZones(): Pick<ec2.VpcProps, 'maxAzs' | 'availabilityZones'> {
    return Token.isUnresolved(Stack.of(this).region)
      ? { availabilityZones: [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs())) }
      : { maxAzs: 3 };
  }

  private createSecurityGroup(): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'NodeSecurityGroup', {
      vpc: this.vpc,
      description: 'Neo4j cluster members: discovery, transactions, raft, backup, Bolt and HTTP',
      allowAllOutbound: true,
    });
    // Members talk to each other on every cluster port (5000-7688 covers 3.5 HA to 2025.x).
    sg.connections.allowInternally(ec2.Port.tcpRange(5000, 7688), 'Neo4j members');
    sg.addIngressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(BOLT_PORT), 'Bolt from the VPC');
    Annotations.of(sg).acknowledgeWarning('@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
      'All outbound traffic is allowed, which covers the member-to-member egress allowInternally adds');
    acknowledgeRule(sg, awsSolutions('EC23'),
      'Inbound Bolt comes from the VPC CIDR (a token, which the rule cannot evaluate), never 0.0.0.0/0');
    return sg;
  }

  private createGroup(
    id: string,
    group: NodeGroup,
    instanceType: ec2.InstanceType,
    size: NodeCapacity,
  ): autoscaling.AutoScalingGroup {
    const launchTemplate = this.createLaunchTemplate(id, instanceType);
    const asg = new autoscaling.AutoScalingGroup(this, id, {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: size.min,
      maxCapacity: size.max,
      desiredCapacity: size.desired,
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: 0 }),
    });
    // The desired capacity is the stack parameter: resetting it on each deployment is the point.
    Annotations.of(asg).acknowledgeWarning('@aws-cdk/aws-autoscaling:desiredCapacitySet',
      'DesiredCapacity is a stack parameter that the staged upgrade changes on purpose (seed 000 steps 2 and 7)');
    this.joinEcsCluster(asg);
    acknowledgeRule(asg, awsSolutions('AS3'),
      'Scaling is driven by the upgrade state machine, which reports every stage; add notifications through the exposed group if needed');
    // Instances carry the cluster's identity: discovery finds members by it, and volume attachment is scoped to it.
    for (const tagged of [asg, launchTemplate]) {
      Tags.of(tagged).add(CLUSTER_IDENTITY_TAG, this.identity, { applyToLaunchedInstances: true });
      Tags.of(tagged).add('neo4j-upgrades:group', group.toLowerCase(), { applyToLaunchedInstances: true });
    }
    return asg;
  }

  /**
   * A launch template made here rather than by the group: without the consumer's
   * `generateLaunchTemplateInsteadOfLaunchConfig` flag the group would emit a launch configuration,
   * which new AWS accounts cannot create.
   */
  private createLaunchTemplate(groupId: string, instanceType: ec2.InstanceType): ec2.LaunchTemplate {
    const role = new iam.Role(this, `${groupId}InstanceRole`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const launchTemplate = new ec2.LaunchTemplate(this, `${groupId}LaunchTemplate`, {
      instanceType,
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      userData: ec2.UserData.forLinux(),
      role,
      securityGroup: this.securityGroup,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      detailedMonitoring: false,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });
    // The boot script claims the data volume with the role's permissions: they must exist before any instance.
    launchTemplate.node.addDependency(role);
    return launchTemplate;
  }

  private configureBootstrap(group: NodeGroup, asg: autoscaling.AutoScalingGroup, resolved: ReturnType<Neo4jCluster['validateProps']>) {
    const perServer = group === NodeGroup.MAIN && resolved.serverCount !== undefined;
    asg.addUserData(...nodeBootstrapCommands({
      dataVolumeName: this.dataVolumeName,
      environmentName: this.environmentName,
      sizeGiB: resolved.sizeGiB,
      volumeType: resolved.volumeType,
      iops: resolved.volume.iops,
      throughputMiBps: resolved.volume.throughputMiBps,
      encrypted: resolved.encrypted,
      kmsKeyId: this.dataVolumeKey?.keyArn,
      mountPoint: resolved.mountPoint,
      clusterIdentity: this.identity,
      adoptUntaggedVolumes: this.adoptUntaggedVolumes ?? false,
      // Written last: if the claim or mount fails, the agent never joins and Neo4j never starts on the root disk.
      ecsConfig: perServer ? [`ECS_CLUSTER=${this.ecsCluster.clusterName}`] : [
        `ECS_CLUSTER=${this.ecsCluster.clusterName}`,
        `ECS_INSTANCE_ATTRIBUTES={"${GROUP_ATTRIBUTE}":"${group.toLowerCase()}"}`,
      ],
      server: perServer ? {
        count: resolved.serverCount!, volumeTag: SERVER_TAG, attribute: SERVER_ATTRIBUTE,
        otherAttributes: { [GROUP_ATTRIBUTE]: group.toLowerCase() }, claimParameterPrefix: this.serverClaimParameterPrefix!,
      } : undefined,
      // A new slave-only instance claims a fresh volume when its mode changes (seed 000 step 8).
      replaceOn: group === NodeGroup.SLAVE ? this.parameters.slaveMode.valueAsString : undefined,
    }));
    this.grantVolumeClaim(asg.role);
    if (perServer) this.grantServerTag(asg.role);
  }

  /**
   * The server claim creates its claims in the cluster's ledger (no overwrite, no delete: PutParameter
   * without Overwrite only creates), and writes the server number on the node's own volume, and no other tag.
   */
  private grantServerTag(role: iam.IRole) {
    const ledger = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: this.serverClaimParameterPrefix!.slice(1) });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ServerClaimLedger',
      actions: ['ssm:GetParametersByPath', 'ssm:PutParameter'],
      resources: [ledger, `${ledger}/*`],
    }));
    // A claim is created once: overwriting one (another node's) is refused, whatever the script does.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ServerClaimsAreNeverOverwritten',
      effect: iam.Effect.DENY,
      actions: ['ssm:PutParameter'],
      resources: [ledger, `${ledger}/*`],
      conditions: { StringEquals: { 'ssm:Overwrite': 'true' } },
    }));
    const ownVolume = ownVolumeCondition(this.environmentName, this.identity, false);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagServerNumber',
      actions: ['ec2:CreateTags'],
      resources: [Stack.of(this).formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
      conditions: { ...ownVolume, 'ForAllValues:StringEquals': { 'aws:TagKeys': [SERVER_TAG] } },
    }));
  }

  /**
   * Lets the group's instances register with the ECS cluster (the bootstrap writes ECS_CLUSTER once the
   * data volume is mounted). Done by hand rather than through a capacity provider: daemon services never
   * move, so the provider's drain hook would only delay terminations.
   */
  private joinEcsCluster(asg: autoscaling.AutoScalingGroup) {
    asg.addToRolePolicy(new iam.PolicyStatement({
      sid: 'RegisterWithTheCluster',
      actions: ['ecs:DeregisterContainerInstance', 'ecs:RegisterContainerInstance', 'ecs:Submit*'],
      resources: [this.ecsCluster.clusterArn],
    }));
    asg.addToRolePolicy(new iam.PolicyStatement({
      sid: 'PollForTasks',
      actions: ['ecs:Poll', 'ecs:StartTelemetrySession'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': this.ecsCluster.clusterArn } },
    }));
    asg.addToRolePolicy(new iam.PolicyStatement({
      sid: 'AgentEndpointsAndLogs',
      actions: ['ecs:DiscoverPollEndpoint', 'ecr:GetAuthorizationToken', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: ['*'],
    }));
  }

  /** What the claim script needs: find, attach and create this cluster's data volumes, and discover members. */
  private grantVolumeClaim(role: iam.IRole) {
    const stack = Stack.of(this);
    const ownVolume = ownVolumeCondition(this.environmentName, this.identity, this.adoptUntaggedVolumes ?? false);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DescribeForVolumeClaimAndDiscovery',
      actions: ['ec2:DescribeVolumes', 'ec2:DescribeInstances'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AttachClusterDataVolumes',
      actions: ['ec2:AttachVolume'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
      conditions: ownVolume,
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AttachToOwnInstance',
      actions: ['ec2:AttachVolume'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
      conditions: { StringEquals: { [`aws:ResourceTag/${CLUSTER_IDENTITY_TAG}`]: this.identity } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateTaggedDataVolume',
      actions: ['ec2:CreateVolume'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
      conditions: { StringEquals: {
        'aws:RequestTag/Environment': this.environmentName, 'aws:RequestTag/Name': this.dataVolumeName,
        [`aws:RequestTag/${CLUSTER_IDENTITY_TAG}`]: this.identity,
      } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagOnCreateOnly',
      actions: ['ec2:CreateTags'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateVolume' } },
    }));
    if (this.adoptUntaggedVolumes) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'AdoptUntaggedDataVolumes',
        actions: ['ec2:CreateTags'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
        conditions: {
          ...ownVolume,
          StringEquals: { ...ownVolume.StringEquals, [`aws:RequestTag/${CLUSTER_IDENTITY_TAG}`]: this.identity },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [CLUSTER_IDENTITY_TAG] },
        },
      }));
    }
    if (this.dataVolumeKey) {
      this.dataVolumeKey.grant(role, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
    }
  }

  /**
   * One service per server: one task, placed on the instance whose volume is that server's, stopped
   * before its replacement starts (min 0 / max 100) so the new task gets the same host ports and volume.
   * Its image is `<prefix>Server<N>Image`, or the cluster's DockerImage while that is empty.
   */
  private createServerServices(resolved: ReturnType<Neo4jCluster['validateProps']>, logGroup: logs.ILogGroup, prefix: string): ecs.Ec2Service[] {
    const stack = Stack.of(this);
    // The same cluster, seen as one with EC2 capacity: the instances join it from their user data (see
    // joinEcsCluster), which the construct cannot see, and a replica service insists on capacity.
    const cluster = ecs.Cluster.fromClusterAttributes(this, 'EcsClusterWithInstances', {
      clusterName: this.ecsCluster.clusterName, clusterArn: this.ecsCluster.clusterArn, vpc: this.vpc, hasEc2Capacity: true,
    });
    return Array.from({ length: resolved.serverCount! }, (_, index) => {
      const n = index + 1;
      const name = serverImageParameterName(prefix, n);
      const parameter = new CfnParameter(stack, name, {
        type: 'String',
        default: '',
        allowedPattern: `^$|${this.parameters.dockerImage.allowedPattern}`,
        description: `Image of server ${n}; empty: the DockerImage parameter (the rolling upgrade sets it one server at a time)`,
      });
      parameter.overrideLogicalId(name);
      const unset = new CfnCondition(stack, `${name}Unset`, { expression: Fn.conditionEquals(parameter.valueAsString, '') });
      unset.overrideLogicalId(`${name}Unset`);
      const image = Fn.conditionIf(unset.logicalId, this.parameters.dockerImage.valueAsString, parameter.valueAsString).toString();
      const family = this.parameters.discoveryV2 ? this.serverVersionFamily(prefix, n) : this.parameters.versionFamily.valueAsString;
      const taskDefinition = this.createTaskDefinition(`Server${n}`, NodeGroup.MAIN, this.parameters.mode, image, family, resolved, logGroup, `neo4j-server${n}`);
      return new ecs.Ec2Service(this, `Server${n}Service`, {
        cluster,
        taskDefinition,
        desiredCount: resolved.spareServerSlots > 0 ? this.slotDesiredCount(prefix, n, n <= resolved.serverCount! - resolved.spareServerSlots) : 1,
        minHealthyPercent: 0,
        maxHealthyPercent: 100,
        circuitBreaker: { enable: true, rollback: true },
        placementConstraints: [ecs.PlacementConstraint.memberOf(`attribute:${SERVER_ATTRIBUTE} == ${n}`)],
      });
    });
  }

  /**
   * A slot's desired count, `<prefix>Server<N>DesiredCount` (`1` for the servers, `0` for the spare): the
   * replacement starts and stops slots with parameter-only updates, which keep the template's shape.
   */
  private slotDesiredCount(prefix: string, n: number, running: boolean): number {
    const name = serverDesiredCountParameterName(prefix, n);
    const parameter = new CfnParameter(Stack.of(this), name, {
      type: 'Number', default: running ? 1 : 0, allowedValues: ['0', '1'],
      description: `Desired count of server slot ${n}: 1 runs it, 0 stops it (the NEW_MEMBER_FIRST rolling upgrade rotates members through the spare slot)`,
    });
    parameter.overrideLogicalId(name);
    return parameter.valueAsNumber;
  }

  /** With the DiscoveryVersion parameter: picks a 5.x discovery input by its value (else undefined: v1 only). */
  private discoveryChoice(): ((v1: string, v2: string) => string) | undefined {
    const v2 = this.parameters.discoveryV2;
    return v2 && ((v1Value: string, v2Value: string) => Fn.conditionIf(v2.logicalId, v2Value, v1Value).toString());
  }

  /**
   * A server's settings family on discovery v2: `<prefix>Server<N>VersionFamily`, or VersionFamily while that is
   * empty, so a roll that crosses families (5.26 -> 2025.x) changes one server's settings with its image.
   */
  private serverVersionFamily(prefix: string, n: number): string {
    const stack = Stack.of(this);
    const name = serverVersionFamilyParameterName(prefix, n);
    const parameter = new CfnParameter(stack, name, {
      type: 'String', default: '', allowedValues: ['', ...Neo4jVersionFamily.ALL.map((f) => f.id)],
      description: `Settings family of server ${n}; empty: the VersionFamily parameter (the rolling upgrade sets it with Server${n}Image)`,
    });
    parameter.overrideLogicalId(name);
    const unset = new CfnCondition(stack, `${name}Unset`, { expression: Fn.conditionEquals(parameter.valueAsString, '') });
    unset.overrideLogicalId(`${name}Unset`);
    return Fn.conditionIf(unset.logicalId, this.parameters.versionFamily.valueAsString, parameter.valueAsString).toString();
  }

  private createService(
    id: string,
    group: NodeGroup,
    modeParameter: CfnParameter,
    resolved: ReturnType<Neo4jCluster['validateProps']>,
    logGroup: logs.ILogGroup,
  ): ecs.Ec2Service {
    const taskDefinition = this.createTaskDefinition(id, group, modeParameter, this.parameters.dockerImage.valueAsString,
      this.parameters.versionFamily.valueAsString, resolved, logGroup, `neo4j-${group.toLowerCase()}`);
    return new ecs.Ec2Service(this, `${id}Service`, {
      cluster: this.ecsCluster,
      taskDefinition,
      daemon: true,
      minHealthyPercent: resolved.rollingMinHealthyPercent,
      maxHealthyPercent: 100,
      // A task that cannot start fails the deployment, and so the stack update, instead of hanging it.
      circuitBreaker: { enable: true, rollback: true },
      placementConstraints: [ecs.PlacementConstraint.memberOf(`attribute:${GROUP_ATTRIBUTE} == ${group.toLowerCase()}`)],
    });
  }

  private createTaskDefinition(
    id: string,
    group: NodeGroup,
    modeParameter: CfnParameter,
    image: string,
    versionFamily: string,
    resolved: ReturnType<Neo4jCluster['validateProps']>,
    logGroup: logs.ILogGroup,
    streamPrefix: string,
  ): ecs.Ec2TaskDefinition {
    const taskDefinition = new ecs.Ec2TaskDefinition(this, `${id}TaskDefinition`, {
      networkMode: ecs.NetworkMode.HOST,
      volumes: [
        { name: 'data', host: { sourcePath: resolved.mountPoint } },
        { name: 'bootstrap', host: { sourcePath: BOOTSTRAP_DIR } },
      ],
    });
    const container = taskDefinition.addContainer('neo4j', {
      image: ecs.ContainerImage.fromRegistry(image),
      memoryReservationMiB: resolved.memoryReservationMiB,
      essential: true,
      entryPoint: ['/bin/sh'],
      command: ['/neo4j-upgrades/start-neo4j.sh'],
      environment: {
        NEO4J_ACCEPT_LICENSE_AGREEMENT: 'yes',
        NEO4J_UPGRADE_CLUSTER_MODE: modeParameter.valueAsString,
        // start-neo4j.sh exports the settings of this family and mode only (see familySettingsEnvironment).
        NEO4J_UPGRADE_VERSION_FAMILY: versionFamily,
        // The slave-only node never upgrades a store: in seed 000 it is isolated while the master does.
        ...familySettingsEnvironment(group, group === NodeGroup.MAIN ? this.parameters.allowUpgrade.valueAsString : 'false', this.discoveryChoice()),
      },
      secrets: {
        NEO4J_ADMIN_USER: ecs.Secret.fromSecretsManager(this.adminCredentials, 'username'),
        NEO4J_ADMIN_PASSWORD: ecs.Secret.fromSecretsManager(this.adminCredentials, 'password'),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix }),
      portMappings: [{ containerPort: BOLT_PORT }, { containerPort: HTTP_PORT }],
    });
    acknowledgeRule(taskDefinition, awsSolutions('ECS2'),
      'The environment holds non-secret settings that follow the stack parameters; credentials come from Secrets Manager');
    container.addMountPoints(
      { sourceVolume: 'data', containerPath: '/data', readOnly: false },
      { sourceVolume: 'bootstrap', containerPath: '/neo4j-upgrades', readOnly: true },
    );
    return taskDefinition;
  }
}
