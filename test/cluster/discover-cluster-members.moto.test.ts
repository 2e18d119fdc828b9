import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { SCRIPTS_DIR, requireCommand, runScript } from './run-boot-script';

describe('discover-cluster-members.sh against moto_server', () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  beforeAll(async () => {
    requireCommand('aws', 'Install the aws CLI: pip install awscli');
    moto = await startMoto();
    ec2 = new EC2Client(motoClientConfig(moto));
  });
  afterAll(async () => { await moto?.stop(); });

  async function launch(tags: Record<string, string>) {
    const images = await ec2.send(new DescribeImagesCommand({}));
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: images.Images![0].ImageId!, MinCount: 1, MaxCount: 1, InstanceType: 't3.medium',
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }));
    return run.Instances![0].PrivateIpAddress!;
  }

  test('lists the running members that carry the cluster tag, itself included, and a server id', async () => {
    const a = await launch({ 'neo4j-upgrades:cluster': 'production' });
    const b = await launch({ 'neo4j-upgrades:cluster': 'production' });
    await launch({ 'neo4j-upgrades:cluster': 'staging' });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'discover-')), 'cluster.env');
    const result = await runScript(path.join(SCRIPTS_DIR, 'discover-cluster-members.sh'), {
      ...moto.env,
      NEO4J_CLUSTER_TAG_KEY: 'neo4j-upgrades:cluster',
      NEO4J_CLUSTER_TAG_VALUE: 'production',
      NEO4J_CLUSTER_ENV_FILE: file,
      NEO4J_SELF_ADDRESS: a,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const env = Object.fromEntries(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split('=')));
    expect(env.NEO4J_UPGRADE_SELF_ADDRESS).toBe(a);
    expect(env.NEO4J_UPGRADE_MEMBERS.split(',').sort()).toEqual([a, b].sort());
    const [, , o3, o4] = a.split('.').map(Number);
    expect(Number(env.NEO4J_UPGRADE_SERVER_ID)).toBe((o3 * 256 + o4) % 65535 + 1);
  });
});
