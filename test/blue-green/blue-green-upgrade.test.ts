/**
 * Neo4jBlueGreenUpgrade as synthesized: a valid definition in the procedure's order, every failure after
 * the freeze going through the thaw and the lock release, the seed's looks, the new handlers' IAM scope,
 * cdk-nag, and bad props refused at synth.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { unacknowledgedNagFindings } from '../support/nag';
import { UPGRADE_LOCK, blueGreenDefinition, buildBlueGreenUpgrade } from './blue-green-upgrade-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const PROPS = {
  endpoint: {
    listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/neo4j-bolt/50dc6c495c0c9188/f2f7dc8efc522ab2',
    boltUri: 'bolt://internal-neo4j-bolt.elb.us-east-1.amazonaws.com:7687',
    targetGroupArns: {
      blue: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/neo4j-blue/73e2d6bc24d8a067',
      green: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/neo4j-green/6d0ecf831eec9f09',
    },
  },
  alarmArns: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:neo4j-green-errors'],
  credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:neo4j-prod-admin-AbCdEf',
  blueBoltUri: 'bolt://neo4j-blue.internal:7687', greenBoltUri: 'bolt://neo4j-green.internal:7687',
  queries: [{ name: 'people', cypher: 'MATCH (p:Person) RETURN count(p) AS n', expectedRows: [{ n: 3 }] }],
  bakeTime: Duration.minutes(10),
};
const STOPPED = 'Stopped: blue takes writes again';
const FORWARD = [
  'Freeze: blue read-only (writes refused until the switch)', 'Seed green from blue (export and import over Bolt)',
  'Validate: capture blue (counts, checksums, schema)', 'Validate: compare green with blue', 'Proof: compatibility queries on green',
  'Proof: the same queries timed on blue and green', 'Freeze: still within its bound', 'Switch: switch the endpoint to green',
];

describe('Neo4jBlueGreenUpgrade', () => {
  const built = buildBlueGreenUpgrade(PROPS);
  const { template, definition } = blueGreenDefinition(built);
  const states = definition.States;

  test('a valid definition: preflight, freeze, seed, validation, proof, bound, switch with bake, release, publish', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid ? '' : errorsText('\n')).toBe('');
    expect(states['Preflight: snapshot every data volume']).toBeDefined();
    expect(states['Preflight: wait for the pre-upgrade snapshots'].Next).toBe(FORWARD[0]);
    FORWARD.slice(0, -1).forEach((name, i) => expect([name, states[name].Next]).toEqual([name, FORWARD[i + 1]]));
    expect(states['Switch: green baked'].Next).toBe('After: stop blue: update the stack parameters');
    expect(states['After: stop blue: wait for UPDATE_COMPLETE'].Next).toBe('After: blue stopped and retained (volumes and snapshots kept)');
    expect(states['After: blue stopped and retained (volumes and snapshots kept)'].Next).toBe('After: release the lock (blue stopped, retained)');
    expect(states['After: release the lock (blue stopped, retained)'].Next).toBe('After: publish the result');
    // Stopping blue never switches back or thaws: its failure releases the lock and fails with traffic on green.
    expect(states['After: stop blue: update the stack parameters'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Blue not stopped: release the lock', ResultPath: '$.error' }]);
    expect(states['Blue not stopped: release the lock'].Next).toBe('Traffic on green; blue not stopped (still running read-only)');
    // Every forward step fails into the thaw; the thaw (even failed) releases the lock, then the execution fails.
    for (const name of FORWARD.slice(0, -1)) expect([name, states[name].Catch]).toEqual([name, [{ ErrorEquals: ['States.ALL'], Next: STOPPED, ResultPath: '$.error' }]]);
    // A switch-back thaws blue only if green took no writes: green compared again with blue's frozen baseline.
    const CHECK = "Switched back: did green take writes? (green against blue's frozen baseline)";
    const KEPT = 'Green took writes: release the lock (blue stays read-only)';
    expect(states['Switch: traffic back on blue'].Next).toBe(CHECK);
    expect(states[CHECK]).toMatchObject({
      Next: STOPPED, Catch: [{ ErrorEquals: ['States.ALL'], Next: KEPT, ResultPath: '$.greenWrites' }],
      Parameters: { Payload: { mode: 'compare', boltUri: PROPS.greenBoltUri, baselineParameterName: `${UPGRADE_LOCK}/baseline` } },
    });
    expect(states[KEPT].Next).toBe('Switched back: green took writes (blue kept read-only, green kept)');
    expect(states['Switched back: green took writes (blue kept read-only, green kept)']).toMatchObject({
      Type: 'Fail', ErrorPath: '$.greenWrites.Error', CausePath: '$.greenWrites.Cause',
    });
    // Failures before the switch never look at green's writes: straight to the thaw.
    expect(states['Proof: compatibility queries on green'].Catch[0].Next).toBe(STOPPED);
    expect(states[STOPPED]).toMatchObject({ Next: 'Stopped: release the lock', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Stopped: release the lock', ResultPath: '$.thawError' }] });
    expect(states['Stopped: release the lock'].Next).toBe('Stopped: traffic and writes on blue, green kept for inspection');
  });

  test('the steps carry blue, green and the bounds: validation compares green with blue\'s baseline, the freeze check gets its bound', () => {
    expect(states[FORWARD[1]].Parameters.Payload).toMatchObject({ greenBoltUri: PROPS.greenBoltUri, lockParameterName: UPGRADE_LOCK, poll: { everySeconds: 1, withinSeconds: 780 } });
    expect(states[FORWARD[1]].Retry).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['StillInProgressError'], MaxAttempts: 4 })]));
    expect(states[FORWARD[2]].Parameters.Payload).toMatchObject({ mode: 'capture-baseline', baselineParameterName: `${UPGRADE_LOCK}/baseline` });
    expect(states[FORWARD[3]].Parameters.Payload).toMatchObject({ mode: 'compare', boltUri: PROPS.greenBoltUri, baselineParameterName: `${UPGRADE_LOCK}/baseline` });
    expect(states[FORWARD[5]].Parameters.Payload).toMatchObject({ runs: 5, maxSlowdown: 1.5, queries: [{ name: 'people', cypher: PROPS.queries[0].cypher }] });
    expect(states[FORWARD[6]].Parameters.Payload).toMatchObject({ action: 'check', maxSeconds: 3600, 'frozenAt.$': '$.results.freeze.Payload.frozenAt' });
    // Blue stopped by its own stack parameters: both groups at zero, nothing else changed (volumes are not stack resources of the groups).
    expect(states['After: stop blue: update the stack parameters'].Parameters.Payload).toMatchObject({
      stage: 'stopBlue', parameters: { minSize: '0', desiredCapacity: '0', slaveMinSize: '0', slaveDesiredCapacity: '0' },
    });
    expect(Object.keys(states['After: stop blue: update the stack parameters'].Parameters.Payload.parameters)).toHaveLength(4);
    expect(states['After: publish the result'].Parameters.Payload).toMatchObject({ 'retained.$': '$.results.blueRetained' });
  });

  test('IAM: the seed writes only its record under the lock; the new handlers read the credentials secret', () => {
    const policies = Object.values(Template.fromJSON(template).findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p));
    const seedRecord = policies.filter((p) => p.includes('green-seed'));
    expect(seedRecord).toHaveLength(1);
    expect(seedRecord[0]).toMatch(/"ssm:GetParameter","ssm:PutParameter"\],"Effect":"Allow","Resource":"arn:aws:ssm:us-east-1:123456789012:parameter\/neo4j-upgrades\/prod\/blue-green-lock\/green-seed"/);
    expect(policies.filter((p) => p.includes('neo4j-prod-admin')).length).toBeGreaterThanOrEqual(5);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(unacknowledgedNagFindings(buildBlueGreenUpgrade(PROPS).app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test.each([
    [{ greenBoltUri: PROPS.blueBoltUri }, /greenBoltUri.*must be green's own URI/],
    [{ maxWriteFreeze: Duration.millis(1500) }, /maxWriteFreeze.*1.5 seconds.*whole number of seconds from 1 to 86400/],
    [{ maxSlowdown: 0.5 }, /maxSlowdown.*0.5.*at least 1/],
    [{ trafficSteps: [50, 90] }, /trafficSteps \(got \[50,90\]\): must end at 100/],
  ])('refuses %p at synth', (over, message) => {
    expect(() => buildBlueGreenUpgrade({ ...PROPS, ...over })).toThrow(message);
  });
});
