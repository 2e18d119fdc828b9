/**
 * claim-server-number.sh against moto_server: the real script with the real aws CLI (EC2 tags and the SSM
 * claim ledger). Each test uses its own Name/Environment tags and ledger prefix, so the tests share one moto
 * without seeing each other.
 */
import { CreateTagsCommand, CreateVolumeCommand, DeleteTagsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, Parameter, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MotoServer, motoClientConfig, startMoto } from '../support/moto';
import { warmAwsCli } from '../../tools/aws-cli';
import { ScriptResult, SCRIPTS_DIR, requireCommand, runScript } from './run-boot-script';

const SCRIPT = path.join(SCRIPTS_DIR, 'claim-server-number.sh');
const CLUSTER = 'Test/0123abcd';
let moto: MotoServer;
let ec2: EC2Client;
let ssm: SSMClient;
let awsCli: string;
let uniq = 0;

interface Pool { readonly name: string; readonly environment: string; readonly prefix: string }

function pool(): Pool {
  uniq += 1;
  return { name: `neo4j-s${uniq}-data`, environment: `senv${uniq}`, prefix: `/neo4j-upgrades/test-s${uniq}/servers-claimed` };
}

/** The ledger's parameters, by name relative to the prefix (e.g. `2/1`). */
async function ledger(p: Pool): Promise<Record<string, Parameter>> {
  const found: Parameter[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParametersByPathCommand({ Path: p.prefix, Recursive: true, NextToken }));
    found.push(...page.Parameters ?? []);
    NextToken = page.NextToken;
  } while (NextToken);
  return Object.fromEntries(found.map((param) => [param.Name!.slice(p.prefix.length + 1), param]));
}

async function ledgerValues(p: Pool): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await ledger(p)).map(([k, v]) => [k, v.Value!]));
}

async function volume(p: Pool, extra: Record<string, string> = {}, cluster = CLUSTER): Promise<string> {
  const tags = { Name: p.name, Environment: p.environment, 'neo4j-upgrades:cluster': cluster, ...extra };
  const created = await ec2.send(new CreateVolumeCommand({
    AvailabilityZone: 'us-east-1a', Size: 5,
    TagSpecifications: [{ ResourceType: 'volume', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
  }));
  return created.VolumeId!;
}

async function serverTag(id: string): Promise<string | undefined> {
  const found = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }));
  return found.Volumes![0].Tags?.find((t) => t.Key === 'neo4j-upgrades:server')?.Value;
}

function run(p: Pool, volumeId: string, count = 3, extra: Record<string, string> = {}): Promise<ScriptResult> {
  const base = Object.fromEntries(Object.entries(moto.env).filter(([k]) => !k.startsWith('NEO4J_')));
  return runScript(SCRIPT, {
    ...base,
    NEO4J_SERVER_VOLUME_ID: volumeId,
    NEO4J_SERVER_COUNT: String(count),
    NEO4J_CLAIM_VOLUME_NAME: p.name,
    NEO4J_CLAIM_ENVIRONMENT: p.environment,
    NEO4J_CLAIM_CLUSTER_ID: CLUSTER,
    NEO4J_SERVER_CLAIM_PARAMETER_PREFIX: p.prefix,
    NEO4J_CLAIM_AWS_CLI: awsCli,
    ...extra,
  });
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function server(result: ScriptResult): number {
  if (result.code !== 0 || !/^\d+\n$/.test(result.stdout)) {
    throw new Error(`claim-server-number.sh exited ${result.code} with ${JSON.stringify(result.stdout)}:\n${result.stderr}`);
  }
  return Number(result.stdout);
}

beforeAll(async () => {
  requireCommand('aws', 'The script needs the aws CLI: install it with `pip install awscli`.');
  moto = await startMoto();
  ec2 = new EC2Client(motoClientConfig(moto, 'us-east-1'));
  ssm = new SSMClient(motoClientConfig(moto, 'us-east-1'));
  awsCli = await warmAwsCli();
});

afterAll(async () => {
  ec2?.destroy();
  ssm?.destroy();
  await moto?.stop();
});

describe('claim-server-number.sh (moto_server)', () => {
  test('a volume that already names its server keeps it (a replacement instance is the same server)', async () => {
    const p = pool();
    await volume(p, { 'neo4j-upgrades:server': '1' });
    const mine = await volume(p, { 'neo4j-upgrades:server': '3' });
    expect(server(await run(p, mine))).toBe(3);
    expect(await serverTag(mine)).toBe('3');
    expect(await ledgerValues(p)).toEqual({ '3/1': mine });
  });

  test('a new volume takes the lowest number no other volume of the cluster holds; another cluster does not count', async () => {
    const p = pool();
    await volume(p, { 'neo4j-upgrades:server': '1' });
    await volume(p, { 'neo4j-upgrades:server': '2' }, 'Other/ffffffff');
    const mine = await volume(p);
    expect(server(await run(p, mine))).toBe(2);
    expect(await serverTag(mine)).toBe('2');
    expect(await ledgerValues(p)).toEqual({ '2/1': mine });
  });

  test('racing new volumes end with distinct numbers', async () => {
    const p = pool();
    const volumes = [await volume(p), await volume(p), await volume(p)];
    const numbers = (await Promise.all(volumes.map((v) => run(p, v)))).map(server);
    expect([...numbers].sort()).toEqual([1, 2, 3]);
    expect(await Promise.all(volumes.map(serverTag))).toEqual(numbers.map(String));
    expect(await ledgerValues(p)).toEqual(Object.fromEntries(numbers.map((n, i) => [`${n}/1`, volumes[i]])));
  });

  test('THE RACE: a node that read before another claimed, and writes after it finished, still gets its own number', async () => {
    const p = pool();
    // The old tag-only script gave both nodes 1 when the late writer had the smaller volume id.
    const [late, early] = [await volume(p), await volume(p)].sort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-race-'));
    try {
      const blocked = path.join(dir, 'late-blocked');
      const earlyDone = path.join(dir, 'early-done');
      // The late node's first write (tag or ledger) waits, after its reads, until the early node has exited.
      const delayed = path.join(dir, 'aws-late');
      fs.writeFileSync(delayed, [
        '#!/usr/bin/env bash',
        'if [[ "$1 $2" == "ec2 create-tags" || "$1 $2" == "ssm put-parameter" ]]; then',
        `  touch '${blocked}'; while [[ ! -e '${earlyDone}' ]]; do sleep 0.1; done`,
        'fi',
        `exec ${awsCli} "$@"`,
      ].join('\n'), { mode: 0o755 });
      const lateRun = run(p, late, 3, { NEO4J_CLAIM_AWS_CLI: delayed });
      await until(() => fs.existsSync(blocked));
      const earlyNumber = server(await run(p, early));
      fs.writeFileSync(earlyDone, '');
      const lateNumber = server(await lateRun);
      expect([earlyNumber, lateNumber]).toEqual([1, 2]);
      expect(await Promise.all([early, late].map(serverTag))).toEqual(['1', '2']);
      expect(await ledgerValues(p)).toEqual({ '1/1': early, '2/1': late });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reboot or re-run answers the number the volume holds, restores its tag, and writes no new claim', async () => {
    const p = pool();
    await volume(p, { 'neo4j-upgrades:server': '1' });
    const mine = await volume(p);
    expect(server(await run(p, mine))).toBe(2);
    await ec2.send(new DeleteTagsCommand({ Resources: [mine], Tags: [{ Key: 'neo4j-upgrades:server' }] }));
    expect(server(await run(p, mine))).toBe(2);
    expect(server(await run(p, mine))).toBe(2);
    expect(await serverTag(mine)).toBe('2');
    expect(await ledgerValues(p)).toEqual({ '2/1': mine });
  });

  test('a claim created but answered with an error (retried: ParameterAlreadyExists) is found as the volume\'s own', async () => {
    const p = pool();
    const mine = await volume(p);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lost-answer-'));
    try {
      // The first put-parameter reaches SSM, but its answer is lost the way a 500 or a timeout loses it.
      const wrapper = path.join(dir, 'aws');
      fs.writeFileSync(wrapper, [
        '#!/usr/bin/env bash',
        `if [[ "$1 $2" == "ssm put-parameter" && ! -e '${dir}/once' ]]; then`,
        `  touch '${dir}/once'; ${awsCli} "$@" >/dev/null; echo 'Unable to parse response, invalid XML received: 500 Internal Server Error' >&2; exit 255`,
        'fi',
        `exec ${awsCli} "$@"`,
      ].join('\n'), { mode: 0o755 });
      const result = await run(p, mine, 3, { NEO4J_CLAIM_AWS_CLI: wrapper });
      expect(server(result)).toBe(1);
      expect(result.stderr).toContain('aws ssm put-parameter failed (attempt 1 of 5); retrying');
      expect(await ledgerValues(p)).toEqual({ '1/1': mine });
      expect(await serverTag(mine)).toBe('1');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a restored volume takes its number over from the renamed old one at the next generation; nothing is overwritten', async () => {
    const p = pool();
    const old = await volume(p, { 'neo4j-upgrades:server': '2' });
    expect(server(await run(p, old))).toBe(2);
    await ec2.send(new CreateTagsCommand({ Resources: [old], Tags: [{ Key: 'Name', Value: `${p.name}-old` }] }));
    const restored = await volume(p, { 'neo4j-upgrades:server': '2' });
    expect(server(await run(p, restored))).toBe(2);
    const claims = await ledger(p);
    expect(Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, v.Value]))).toEqual({ '2/1': old, '2/2': restored });
    expect(Object.values(claims).map((c) => c.Version)).toEqual([1, 1]);
  });

  test('a fresh volume never takes a number another live volume carries as its tag or holds in the ledger', async () => {
    const p = pool();
    await volume(p, { 'neo4j-upgrades:server': '1' }); // a server's volume waiting for its instance
    const claimedUntagged = await volume(p); // claimed 2, its tag not visible yet
    await ssm.send(new PutParameterCommand({ Name: `${p.prefix}/2/1`, Value: claimedUntagged, Type: 'String' }));
    const fresh = await volume(p);
    expect(server(await run(p, fresh))).toBe(3);
    expect(await ledgerValues(p)).toEqual({ '2/1': claimedUntagged, '3/1': fresh });
  });

  test('two volumes tagged with one number (the old race, no ledger yet): the first claim keeps it, the other moves on', async () => {
    const p = pool();
    const [first, second] = [await volume(p, { 'neo4j-upgrades:server': '1' }), await volume(p, { 'neo4j-upgrades:server': '1' })];
    expect(server(await run(p, second))).toBe(1);
    const moved = await run(p, first);
    expect(server(moved)).toBe(2);
    expect(moved.stderr).toContain(`server 1 is held by live volume ${second}; choosing another`);
    expect(server(await run(p, second))).toBe(1);
    expect(await ledgerValues(p)).toEqual({ '1/1': second, '2/1': first });
  });

  test('no free number (more volumes than servers): exit 4, the volume left untagged', async () => {
    const p = pool();
    await volume(p, { 'neo4j-upgrades:server': '1' });
    const mine = await volume(p);
    const result = await run(p, mine, 1);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('no free server number');
    expect(await serverTag(mine)).toBeUndefined();
    expect(await ledgerValues(p)).toEqual({});
  });

  test('a copy of another server\'s store passes its unbind mark to the container through cluster.env; other volumes pass none', async () => {
    const p = pool();
    const copy = await volume(p, { 'neo4j-upgrades:server': '2', 'neo4j-upgrades:unbind': 'offline-run-1' });
    const plain = await volume(p, { 'neo4j-upgrades:server': '1' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-server-'));
    try {
      const envFile = path.join(dir, 'cluster.env');
      fs.writeFileSync(envFile, 'NEO4J_UPGRADE_MEMBERS=10.0.1.5\n');
      expect(server(await run(p, copy, 3, { NEO4J_CLUSTER_ENV_FILE: envFile }))).toBe(2);
      expect(fs.readFileSync(envFile, 'utf8')).toBe("NEO4J_UPGRADE_MEMBERS=10.0.1.5\nNEO4J_UPGRADE_UNBIND='offline-run-1'\n");
      fs.writeFileSync(envFile, '');
      expect(server(await run(p, plain, 3, { NEO4J_CLUSTER_ENV_FILE: envFile }))).toBe(1);
      expect(fs.readFileSync(envFile, 'utf8')).toBe("NEO4J_UPGRADE_UNBIND=''\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad configuration and a volume of another cluster are refused before any tag is written', async () => {
    const p = pool();
    const foreign = await volume(p, {}, 'Other/ffffffff');
    const refused = await run(p, foreign);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`volume ${foreign} is not one of this cluster's data volumes`);
    expect(await serverTag(foreign)).toBeUndefined();
    const badCount = await run(p, foreign, 0);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain("NEO4J_SERVER_COUNT='0'");
    const badPrefix = await run(p, foreign, 3, { NEO4J_SERVER_CLAIM_PARAMETER_PREFIX: '/neo4j-upgrades/Test/0123:abcd' });
    expect(badPrefix.code).toBe(2);
    expect(badPrefix.stderr).toContain("NEO4J_SERVER_CLAIM_PARAMETER_PREFIX='/neo4j-upgrades/Test/0123:abcd' must be an SSM path");
    expect(await ledgerValues(p)).toEqual({});
  });

  test('a transient AWS error (an HTTP 500 the CLI does not retry) is tried again; a lasting one stops the boot', async () => {
    const p = pool();
    const mine = await volume(p);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flaky-aws-'));
    try {
      // The real CLI behind a wrapper that fails its first `failures` calls the way moto's 500 did.
      const flaky = (failures: number) => {
        const wrapper = path.join(dir, `aws-${failures}`);
        const calls = path.join(dir, `calls-${failures}`);
        fs.writeFileSync(wrapper, [
          '#!/usr/bin/env bash',
          `n=$(( $(cat '${calls}' 2>/dev/null || echo 0) + 1 )); echo $n > '${calls}'`,
          `if (( n <= ${failures} )); then echo 'Unable to parse response, invalid XML received: 500 Internal Server Error' >&2; exit 255; fi`,
          `exec ${awsCli} "$@"`,
        ].join('\n'), { mode: 0o755 });
        return wrapper;
      };
      const recovered = await run(p, mine, 3, { NEO4J_CLAIM_AWS_CLI: flaky(1), NEO4J_SERVER_AWS_ATTEMPTS: '2' });
      expect(server(recovered)).toBe(1);
      expect(recovered.stderr).toContain('aws ssm get-parameters-by-path failed (attempt 1 of 2); retrying');
      expect(await serverTag(mine)).toBe('1');
      const other = await volume(p);
      const stopped = await run(p, other, 3, { NEO4J_CLAIM_AWS_CLI: flaky(2), NEO4J_SERVER_AWS_ATTEMPTS: '2' });
      expect(stopped.code).not.toBe(0);
      expect(stopped.stderr).toContain('aws ssm get-parameters-by-path failed 2 times; giving up');
      expect(await serverTag(other)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
