/**
 * The package as a consumer gets it: `npm pack` (whose prepack builds dist/ and the handler bundles)
 * ships only what a consumer runs; installed from the tarball into a scratch app outside this
 * repository, the README example synthesizes and the CLI answers `--help` from the installed bin.
 * aws-cdk-lib and constructs (peer dependencies) are linked from this repository's node_modules to
 * save a large download; the runtime dependencies come from the registry (or npm's cache).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { PACKAGE_NAME, readmeExampleSource } from '../support/readme-example';

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
const app = path.join(work, 'app');
const installed = path.join(app, 'node_modules', PACKAGE_NAME);
let tarball: string;
let files: string[];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  // prepack (the build) prints to the same stdout before npm's JSON.
  const out = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  const packed = JSON.parse(out.slice(out.search(/^\[/m)));
  tarball = path.join(work, packed[0].filename);
  files = packed[0].files.map((f: { path: string }) => f.path);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true }));
  // --legacy-peer-deps: the peers are linked below instead of downloaded.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--legacy-peer-deps', tarball], app);
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer), 'dir');
  }
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball holds the build, the handler bundles, the boot scripts, README, LICENSE and API.md, and nothing else', () => {
  for (const expected of ['package.json', 'README.md', 'LICENSE', 'API.md', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/cli.js',
    'dist/validator/index.js', 'assets/lambda/health-gate/index.js', 'lib/cluster/scripts/claim-data-volume.sh']) {
    expect(files).toContain(expected);
  }
  const unexpected = files.filter((f) => /^(dist\/(tools|lambda|test|bench)\/|tools\/|lambda\/|test\/|bench\/|scripts\/|\.ci\/|\.tools\/)/.test(f)
    || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
  expect(unexpected).toEqual([]);
  expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
});

test('the runtime dependencies resolve from the installed package (the CLI\'s --source-secret and ssm: paths)', () => {
  for (const dependency of ['neo4j-driver', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-ssm']) {
    expect(() => require.resolve(dependency, { paths: [installed] })).not.toThrow();
    expect(require.resolve(dependency, { paths: [installed] }).startsWith(app)).toBe(true);
  }
});

test('the README example synthesizes in the scratch app, with no cdk.json and no context', () => {
  const source = `${readmeExampleSource()}
const template = app.synth().getStackByName(stack.stackName).template;
const types = Object.values(template.Resources).map((r: any) => r.Type);
const azs = new Set(Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::EC2::Subnet').map((r: any) => JSON.stringify(r.Properties.AvailabilityZone)));
console.log(JSON.stringify({
  launchTemplates: types.filter((t) => t === 'AWS::EC2::LaunchTemplate').length,
  launchConfigurations: types.filter((t) => t === 'AWS::AutoScaling::LaunchConfiguration').length,
  functions: types.filter((t) => t === 'AWS::Lambda::Function').length,
  stateMachines: types.filter((t) => t === 'AWS::StepFunctions::StateMachine').length,
  azs: azs.size,
}));
`;
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  fs.writeFileSync(path.join(app, 'app.js'), js);
  const env = { ...process.env };
  delete env.CDK_CONTEXT_JSON;
  delete env.CDK_CONTEXT_FILE;
  const summary = JSON.parse(run(process.execPath, ['app.js'], app, env).trim().split('\n').pop() as string);
  expect(summary).toEqual({ launchTemplates: 2, launchConfigurations: 0, functions: expect.any(Number), stateMachines: 1, azs: 3 });
  expect(summary.functions).toBeGreaterThan(10);
});

test('the CLI answers --help from the installed bin, without loading the driver', () => {
  const bin = path.join(app, 'node_modules', '.bin', 'neo4j-ecs-upgrades');
  // Reports at exit whether neo4j-driver was loaded (it costs over half a second; --help needs none of it).
  const probe = path.join(work, 'driver-probe.js');
  fs.writeFileSync(probe, "process.on('exit', () => { if (Object.keys(require.cache).some((k) => k.includes('neo4j-driver'))) process.stderr.write('neo4j-driver loaded\\n'); });\n");
  const started = Date.now();
  const r = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${probe}` } });
  const seconds = (Date.now() - started) / 1000;
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(/^usage: /);
  expect(r.stdout).toContain('validate');
  // Under a second on an idle machine (0.1 s of CPU); the bound leaves room for a loaded CI machine.
  expect(seconds).toBeLessThan(3);
});

test('the installed CLI\'s upgrade command: --help loads no AWS SDK client; a verb loads its clients from the package\'s dependencies', () => {
  const bin = path.join(app, 'node_modules', '.bin', 'neo4j-ecs-upgrades');
  expect(files).toContain('dist/bin/cli-upgrade.js');
  const probe = path.join(work, 'sdk-probe.js');
  fs.writeFileSync(probe, "process.on('exit', () => { const l = Object.keys(require.cache).filter((k) => /@aws-sdk[\\\\/]client-|neo4j-driver/.test(k)); if (l.length) process.stderr.write('loaded: ' + l[0] + '\\n'); });\n");
  const env = { ...process.env, NODE_OPTIONS: `--require ${probe}` };
  const help = spawnSync(bin, ['upgrade', '--help'], { cwd: app, encoding: 'utf8', env });
  expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
  expect(help.stdout).toMatch(/^usage: neo4j-ecs-upgrades upgrade <verb>/);
  // `start` loads its verb (and the SFN client) from the bundle, then refuses the input before any call.
  const start = spawnSync(bin, ['upgrade', 'start', '--state-machine', 'arn:aws:states:eu-west-1:123456789012:stateMachine:u', '--input', '[1]'],
    { cwd: app, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1' } });
  expect(start.status).toBe(2);
  expect(start.stderr).toContain('error: the input must be a JSON object');
});
