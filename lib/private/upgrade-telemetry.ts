/** The source of the library's EventBridge events (lambda/shared/upgrade-events.ts has the detail-types). */
export const UPGRADE_EVENT_SOURCE = 'neo4j-ecs-upgrades';

/**
 * The custom metrics the handlers write as CloudWatch embedded metric format (EMF) log lines, and the
 * dashboard and alarms read. Plain constants (no CDK): the handlers import them too.
 */
export const UPGRADE_METRICS = {
  namespace: 'Neo4jEcsUpgrades',
  /** Seconds from a stage's begin to its done state; dimensions StateMachine (name) and Stage (key). */
  stageDuration: 'StageDuration',
  /** Minutes since the last state transition of the longest-silent RUNNING execution not waiting for an approval; dimension StateMachine. */
  minutesWithoutProgress: 'MinutesWithoutProgress',
  stateMachineDimension: 'StateMachine',
  stageDimension: 'Stage',
} as const;
