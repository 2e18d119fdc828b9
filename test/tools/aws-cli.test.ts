/**
 * tools/aws-cli: the warm aws CLI gives what the plain `aws` process gives (stdout, stderr, exit code) for
 * the calls the claim script makes, honours each caller's environment, and serves calls in parallel.
 */
import { spawn } from 'node:child_process';
import { warmAwsCli } from '../../tools/aws-cli';
import { MotoServer, startMoto } from '../support/moto';
import { requireCommand } from '../cluster/run-boot-script';

let moto: MotoServer;
let warm: string;

interface Call { code: number | null; stdout: string; stderr: string }

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Call> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d.toString(); });
    child.stderr.on('data', (d) => { stderr += d.toString(); });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  requireCommand('aws', 'The aws CLI is needed: pip install awscli');
  moto = await startMoto();
  warm = await warmAwsCli();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe('warm aws CLI', () => {
  test('is a wrapper around the server, not the plain aws command, where awscli is importable', () => {
    expect(warm).not.toBe('aws');
  });

  test('answers like the aws process: output with --query, an API error and its exit code, a usage error', async () => {
    const env = { ...process.env, ...moto.env };
    const volume = await run('aws', ['--region', 'us-east-1', '--output', 'text', 'ec2', 'create-volume',
      '--availability-zone', 'us-east-1a', '--size', '1', '--query', 'VolumeId'], env);
    expect(volume.code).toBe(0);
    const id = volume.stdout.trim();
    const cases = [
      ['--region', 'us-east-1', '--output', 'text', 'ec2', 'describe-volumes', '--volume-ids', id, '--query', 'Volumes[0].[VolumeId, State, Size]'],
      ['--region', 'us-east-1', '--output', 'json', 'ec2', 'describe-volumes', '--volume-ids', id],
      ['--region', 'us-east-1', 'ec2', 'describe-volumes', '--volume-ids', 'vol-0123456789abcdef0'],
      ['--region', 'us-east-1', 'ec2', 'describe-volumes', '--no-such-option'],
    ];
    for (const args of cases) {
      const [plain, served] = await Promise.all([run('aws', args, env), run(warm, args, env)]);
      expect({ args, ...served }).toEqual({ args, ...plain });
    }
  }, 90_000);

  test('takes the region, endpoint and credentials of each call from its own environment', async () => {
    const env = { ...process.env, ...moto.env };
    const args = ['--output', 'text', 'ec2', 'describe-availability-zones', '--query', 'AvailabilityZones[0].ZoneName'];
    expect((await run(warm, args, { ...env, AWS_DEFAULT_REGION: 'eu-west-1', AWS_REGION: 'eu-west-1' })).stdout.trim()).toBe('eu-west-1a');
    expect((await run(warm, args, { ...env, AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' })).stdout.trim()).toBe('us-east-1a');
    const unreachable = await run(warm, args, { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toMatch(/Could not connect to the endpoint URL: "http:\/\/127\.0\.0\.1:9/);
    const noCredentials = Object.fromEntries(Object.entries(env).filter(([k]) => !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/.test(k)));
    const anonymous = await run(warm, args, { ...noCredentials, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent' });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Unable to locate credentials/);
  }, 60_000);

  test('serves calls in parallel, each with its own answer', async () => {
    const env = { ...process.env, ...moto.env };
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1a', 'us-east-1b', 'us-east-1c'];
    const created = await Promise.all(zones.map((zone) => run(warm, ['--region', 'us-east-1', '--output', 'text', 'ec2', 'create-volume',
      '--availability-zone', zone, '--size', '2', '--query', '[VolumeId, AvailabilityZone]'], env)));
    expect(created.map((c) => c.code)).toEqual(zones.map(() => 0));
    expect(created.map((c) => c.stdout.trim().split('\t')[1])).toEqual(zones);
    expect(new Set(created.map((c) => c.stdout.trim().split('\t')[0])).size).toBe(zones.length);
  }, 60_000);
});
