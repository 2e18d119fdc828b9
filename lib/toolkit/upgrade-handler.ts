import { HandlerName } from '../private/handler-registry';

/**
 * A Lambda handler the library ships (bundled under `assets/lambda/<name>`). Procedures name handlers
 * only through these constants, so a misspelt handler does not compile; each one's sizing, VPC placement
 * and IAM statements are declared once, in the library's handler registry.
 */
export class UpgradeHandler {
  /** Every procedure's first state: refuses an execution input over the cap before the state document copies it. */
  public static readonly CHECK_INPUT_SIZE = UpgradeHandler.define('check-input-size');
  /** Validates the execution input against the stack and the version path; returns the plan. */
  public static readonly VALIDATE_INPUT = UpgradeHandler.define('validate-input');
  /** The stack is in a *_COMPLETE state and not drifted. */
  public static readonly CHECK_STACK_READY = UpgradeHandler.define('check-stack-ready');
  /** Takes or releases the upgrade lock (an SSM parameter). */
  public static readonly UPGRADE_LOCK = UpgradeHandler.define('upgrade-lock');
  /** Records the stack's parameters before the upgrade. */
  public static readonly STACK_PARAMETERS = UpgradeHandler.define('stack-parameters');
  /** A parameter-only stack update through a reviewed change set. */
  public static readonly UPDATE_STACK = UpgradeHandler.define('update-stack');
  /** Polls one stack update until it completes. */
  public static readonly STACK_STATUS = UpgradeHandler.define('stack-status');
  /** Polls the target's ECS services until they are steady. */
  public static readonly ECS_SERVICES_STEADY = UpgradeHandler.define('ecs-services-steady');
  /** The rolling order on fixed servers: the servers not yet at an image, the leader last, and the closing update. */
  public static readonly PLAN_SERVER_ROLL = UpgradeHandler.define('plan-server-roll');
  /**
   * Replaceable resources, the ECS side: plans which old server goes to which free slot, finds the new
   * member's Bolt address once its instance is in service, and releases a slot (its volume renamed and kept,
   * its instance terminated with the group's desired capacity decremented).
   */
  public static readonly SERVER_SLOTS = UpgradeHandler.define('server-slots');
  /** The Neo4j health gate over Bolt: version, topology, leader, member count. */
  public static readonly HEALTH_GATE = UpgradeHandler.define('health-gate');
  /** Adds a member before retiring one (5.x server management): enable, wait until it hosts, deallocate, wait until drained, drop. */
  public static readonly CLUSTER_MEMBERSHIP = UpgradeHandler.define('cluster-membership');
  /** The migration validator (seed 004): baseline capture and comparison. */
  public static readonly VALIDATE_MIGRATION = UpgradeHandler.define('validate-migration');
  /** Applies the next unrecorded Cypher migration. */
  public static readonly RUN_MIGRATIONS = UpgradeHandler.define('run-migrations');
  /** Asks an operator for a decision and waits for the task token. */
  public static readonly REQUEST_APPROVAL = UpgradeHandler.define('request-approval');
  /** Publishes the outcome. */
  public static readonly PUBLISH_RESULT = UpgradeHandler.define('publish-result');
  /** Finds the master's instance and data volume from its address. */
  public static readonly RESOLVE_MASTER = UpgradeHandler.define('resolve-master');
  /** Sets or releases scale-in protection so a scale-down keeps the master. */
  public static readonly KEEP_MASTER = UpgradeHandler.define('keep-master');
  /** Checks the only instance left is the master. */
  public static readonly VERIFY_MASTER_KEPT = UpgradeHandler.define('verify-master-kept');
  /** Snapshots data volumes, tagged for this execution. */
  public static readonly SNAPSHOT_VOLUMES = UpgradeHandler.define('snapshot-volumes');
  /** Polls snapshots until they are completed. */
  public static readonly SNAPSHOTS_COMPLETE = UpgradeHandler.define('snapshots-complete');
  /** Renames data volumes out of the claim pool (`<name>-old`), never deleting them. */
  public static readonly RETAG_VOLUMES = UpgradeHandler.define('retag-volumes');
  /** Plans how many clone volumes go to each region and AZ. */
  public static readonly PLAN_CLONE_TARGETS = UpgradeHandler.define('plan-clone-targets');
  /** Copies a snapshot into another region. */
  public static readonly COPY_SNAPSHOT_TO_REGION = UpgradeHandler.define('copy-snapshot-to-region');
  /** Creates tagged, claimable volumes from a snapshot. */
  public static readonly CREATE_CLONE_VOLUMES = UpgradeHandler.define('create-clone-volumes');
  /** Polls until a data volume is detached (its server stopped, the store at rest). */
  public static readonly VOLUME_DETACHED = UpgradeHandler.define('volume-detached');
  /** The offline upgrade: every other server gets a copy of the migrated store (marked for unbind), its old volume retained. */
  public static readonly CLONE_SERVER_VOLUMES = UpgradeHandler.define('clone-server-volumes');
  /** Turns pre-upgrade snapshots back into the claimable data volumes (the current ones renamed, kept). */
  public static readonly RESTORE_VOLUMES = UpgradeHandler.define('restore-volumes');
  /** After an execution stopped, timed out or failed outside its own rollback: frees its lock and scale-in protection. */
  public static readonly EXECUTION_CLEANUP = UpgradeHandler.define('execution-cleanup');
  /** Fed by the execution log: sends "Upgrade Stage Started/Ended" events and writes each stage's duration as a metric. */
  public static readonly STAGE_EVENTS = UpgradeHandler.define('stage-events');
  /** Scheduled: how long each running execution went without a state transition (the stuck-execution alarm's metric). */
  public static readonly EXECUTION_PROGRESS = UpgradeHandler.define('execution-progress');

  /** Role-ordered procedures: checks the input and ArangoDB's version path; returns the plan in role order. */
  public static readonly ARANGO_VALIDATE_INPUT = UpgradeHandler.define('arango-validate-input');
  /** Role-ordered procedures: stop a server, run the new version once with auto-upgrade, start it (ECS). */
  public static readonly ARANGO_SERVER_ACTION = UpgradeHandler.define('arango-server-action');
  /** Role-ordered procedures: the role's gate after a server restarted (agency in sync, shards in sync, answering). */
  public static readonly ARANGO_ROLE_GATE = UpgradeHandler.define('arango-role-gate');
  /** Role-ordered procedures: the supervision maintenance mode on (with an expiry) or off. */
  public static readonly ARANGO_MAINTENANCE = UpgradeHandler.define('arango-maintenance');
  /** Role-ordered procedures: every server the execution took down back on its old image (restored from its snapshot if its store may be upgraded). */
  public static readonly ARANGO_ROLLBACK_SERVERS = UpgradeHandler.define('arango-rollback-servers');

  /** Schema-first rolling upgrades: checks the image, the fleet's one version and seed 002's version path; returns the plan. */
  public static readonly ENGINE_VALIDATE_INPUT = UpgradeHandler.define('engine-validate-input');
  /** Schema-first rolling upgrades: the RDS snapshot of the engines' database, once per execution. */
  public static readonly ENGINE_DATABASE_SNAPSHOT = UpgradeHandler.define('engine-database-snapshot');
  /** Schema-first rolling upgrades: the one-off ECS task that upgrades the schema, recorded so it never runs twice. */
  public static readonly ENGINE_SCHEMA_TASK = UpgradeHandler.define('engine-schema-task');
  /** Schema-first rolling upgrades: a group out of the load balancer (drained) or back in (healthy). */
  public static readonly ENGINE_GROUP_TRAFFIC = UpgradeHandler.define('engine-group-traffic');
  /** Schema-first rolling upgrades: a group's services on the new image, or the touched groups back on the old one. */
  public static readonly ENGINE_GROUP_IMAGE = UpgradeHandler.define('engine-group-image');
  /** Schema-first rolling upgrades: a group's engines asked directly whether they serve and their job executor runs. */
  public static readonly ENGINE_CHECK = UpgradeHandler.define('engine-check');

  /** Blue/green: the client endpoint's listener moved to given weights per colour, or back to those before the switch. */
  public static readonly TRAFFIC_SWITCH = UpgradeHandler.define('traffic-switch');
  /** Blue/green: watches the bake alarms and probes through the client endpoint until the bake time has passed. */
  public static readonly BAKE_WATCH = UpgradeHandler.define('bake-watch');
  /** Blue/green: the user's compatibility queries against green, each compared with its expected rows. */
  public static readonly COMPATIBILITY_CHECK = UpgradeHandler.define('compatibility-check');
  /** Blue/green: blue's database read-only (or read-write again), or the check that the freeze is within its bound. */
  public static readonly WRITE_FREEZE = UpgradeHandler.define('write-freeze');
  /** Blue/green: green seeded from blue by export/import over Bolt, resumable across invocations. */
  public static readonly SEED_GREEN = UpgradeHandler.define('seed-green');
  /** Blue/green: the same queries timed on blue and on green, the ratio checked against a bound. */
  public static readonly PERFORMANCE_COMPARE = UpgradeHandler.define('performance-compare');

  private static define(name: HandlerName): UpgradeHandler {
    return new UpgradeHandler(name);
  }

  private constructor(
    /** Folder of the handler under `lambda/` and of its bundle under `assets/lambda/`. */
    public readonly name: string,
  ) {}
}
