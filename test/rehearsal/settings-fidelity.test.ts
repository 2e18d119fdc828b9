import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import neo4j from 'neo4j-driver';
import { Neo4jVersionFamily } from '../../lib';
import { freePort } from '../../tools/free-port';
import { NEO4J_LTS_VERSION, NEO4J_NEWEST_VERSION } from '../../tools/neo4j-embedded';
import { splitEnterpriseSettings } from '../../tools/neo4j-embedded/enterprise-settings';
import { ContainerSettings, Neo4jPlayer } from '../../tools/rehearsal/neo4j-player';
import { mainNodeStart } from '../../tools/rehearsal/node-settings';
import { CfnTemplate } from '../../tools/rehearsal/synth';
import { clusterStack } from '../support/example-cluster';

// The rehearsal's Neo4j starts with the settings the synthesized task definition hands the container: the
// example app's cluster (Neo4j 5 family on 5.26 LTS), upgraded to the newest calendar version with the
// 5.x family's settings (VersionFamily left at 5) and with the 2025 family's (VersionFamily set with the image).
jest.setTimeout(600_000);

const LTS_IMAGE = `neo4j:${NEO4J_LTS_VERSION}-enterprise`;
const NEWEST_IMAGE = `neo4j:${NEO4J_NEWEST_VERSION}-enterprise`;
const template = Template.fromStack(clusterStack({ dockerImage: LTS_IMAGE, versionFamily: Neo4jVersionFamily.V5 }).stack).toJSON() as CfnTemplate;
const NODE = { selfAddress: '10.0.2.6', members: ['10.0.1.5', '10.0.2.6', '10.0.3.7'], serverId: '1' };
const SECRETS = { NEO4J_ADMIN_USER: 'neo4j', NEO4J_ADMIN_PASSWORD: 'fidelity-password' };

function containerSettings(parameters: Record<string, string>): ContainerSettings {
  const start = mainNodeStart(template, parameters, NODE, SECRETS);
  if (!start || start.code !== 0) throw new Error(`start-neo4j.sh did not start: ${start?.stderr}`);
  return { settings: start.settings, source: JSON.stringify(parameters) };
}

describe('which settings the embedded server checks for real, and which by name only', () => {
  test('5.x family settings on 5.26: the clustering ones are known to 5.26 (by name), the advertised address is applied', () => {
    const { settings } = containerSettings({ DockerImage: LTS_IMAGE });
    expect(Neo4jPlayer.settingsFor(NEO4J_LTS_VERSION, { settings, source: 'x' })).toEqual({
      source: 'x',
      applied: { 'server.default_advertised_address': '10.0.2.6' },
      checkedByNameOnly: {
        'initial.server.mode_constraint': 'PRIMARY',
        'dbms.cluster.discovery.resolver_type': 'LIST',
        'dbms.cluster.discovery.endpoints': '10.0.1.5:5000,10.0.2.6:5000,10.0.3.7:5000',
      },
      harnessOwned: [],
    });
  });

  test('5.x family settings on the newest version: discovery v1 is unknown there, so it goes to the real server', () => {
    const { settings } = containerSettings({ DockerImage: NEWEST_IMAGE, VersionFamily: '5' });
    const split = splitEnterpriseSettings(NEO4J_NEWEST_VERSION, settings);
    expect(split.refused).toEqual([expect.objectContaining({ name: 'dbms.cluster.discovery.endpoints', reason: expect.stringMatching(/removed in 2025\.01/) })]);
    expect(Neo4jPlayer.settingsFor(NEO4J_NEWEST_VERSION, { settings, source: 'x' }).applied)
      .toEqual({ 'server.default_advertised_address': '10.0.2.6', 'dbms.cluster.discovery.endpoints': '10.0.1.5:5000,10.0.2.6:5000,10.0.3.7:5000' });
  });

  test('a bad value of a by-name setting is refused before any start', () => {
    expect(() => Neo4jPlayer.settingsFor(NEO4J_NEWEST_VERSION, { settings: { 'initial.server.mode_constraint': 'LEADER' }, source: 'x' }))
      .toThrow(/initial\.server\.mode_constraint=LEADER is not valid: expected NONE, PRIMARY or SECONDARY/);
  });
});

describe(`real Neo4j ${NEO4J_NEWEST_VERSION} with strict config validation`, () => {
  let dir: string;
  let player: Neo4jPlayer;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-fidelity-'));
    player = new Neo4jPlayer({ dataDir: path.join(dir, 'neo4j'), port: await freePort(), password: SECRETS.NEO4J_ADMIN_PASSWORD, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await player.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('FAILS to start with the 5.x family\'s discovery settings, starts with the 2025 family\'s and runs with them', async () => {
    const wrong = containerSettings({ DockerImage: NEWEST_IMAGE, VersionFamily: '5' });
    await expect(player.play(NEWEST_IMAGE, wrong))
      .rejects.toThrow(/Unrecognized setting\. No declared setting with name: dbms\.cluster\.discovery\.endpoints/);
    expect(player.played.at(-1)).toMatchObject({ action: 'failed-to-start', version: null });

    const right = containerSettings({ DockerImage: NEWEST_IMAGE, VersionFamily: '2025' });
    const played = await player.play(NEWEST_IMAGE, right);
    expect(played).toMatchObject({
      action: 'started', version: NEO4J_NEWEST_VERSION, exactMatch: true,
      settings: {
        applied: { 'server.default_advertised_address': '10.0.2.6' },
        checkedByNameOnly: {
          'initial.server.mode_constraint': 'PRIMARY',
          'dbms.cluster.discovery.resolver_type': 'LIST',
          'dbms.cluster.endpoints': '10.0.1.5:6000,10.0.2.6:6000,10.0.3.7:6000',
        },
      },
    });
    expect(lines.join('\n')).toContain('checked by name only (Enterprise clustering)');

    // The applied setting is in force on the running server.
    const driver = neo4j.driver(player.boltUri, neo4j.auth.basic('neo4j', SECRETS.NEO4J_ADMIN_PASSWORD));
    try {
      const { records } = await driver.executeQuery("SHOW SETTINGS YIELD name, value WHERE name = 'server.default_advertised_address' RETURN value");
      expect(records.map((r) => r.get('value'))).toEqual(['10.0.2.6']);
    } finally {
      await driver.close();
    }
  });
});
