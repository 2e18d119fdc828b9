/**
 * Synthesizes a CDK app with the real CDK CLI (`cdk synth`), the way `npm run synth` does: handler bundles
 * first (the constructs refuse to synthesize without them), then the app with extra context.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FileAsset {
  readonly id: string;
  /** Absolute path of the asset in the cloud assembly (a directory when packaging is zip). */
  readonly sourcePath: string;
  readonly packaging: 'zip' | 'file';
  readonly bucketName: string;
  readonly objectKey: string;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly assets: FileAsset[];
  readonly durationMs: number;
  /** The exact command that ran. */
  readonly command: string[];
}

export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown; [k: string]: unknown }>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
  [k: string]: unknown;
}

export interface SynthOptions {
  /** Repository root (holds package.json, cdk.json, lambda/, scripts/). */
  readonly root: string;
  /** CDK app entry (.ts or .js). */
  readonly app: string;
  /** Extra context (`-c key=value`). */
  readonly context: Record<string, string>;
  readonly outdir?: string;
  readonly log?: (line: string) => void;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d.toString(); });
    child.stderr.on('data', (d) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Runs the handler bundler (scripts/bundle-handlers.mjs, what `npm run bundle` runs) when a handler's
 * bundle is missing or older than the handler sources. Returns whether it ran.
 */
export async function ensureHandlerBundles(root: string, log: (line: string) => void = () => undefined): Promise<boolean> {
  const lambdaDir = path.join(root, 'lambda');
  const handlers = fs.readdirSync(lambdaDir).filter((n) => fs.existsSync(path.join(lambdaDir, n, 'index.ts')));
  const sourcesChanged = Math.max(newestMtime(lambdaDir));
  const stale = handlers.filter((n) => {
    const bundle = path.join(root, 'assets', 'lambda', n, 'index.js');
    return !fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < sourcesChanged;
  });
  if (stale.length === 0) return false;
  log(`bundling handlers (${stale.length} missing or older than lambda/): ${stale.join(', ')}`);
  const r = await run(process.execPath, [path.join(root, 'scripts', 'bundle-handlers.mjs')], root, process.env);
  if (r.code !== 0) throw new Error(`handler bundling failed (exit ${r.code}):\n${r.output.slice(-4000)}`);
  return true;
}

/** `cdk synth` of `app` into `outdir`; picks the stack that holds the upgrade state machine. */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const root = options.root;
  await ensureHandlerBundles(root, log);
  const outdir = options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-cdk-out-'));
  const app = path.resolve(options.app);
  if (!fs.existsSync(app)) throw new Error(`CDK app ${app} does not exist`);
  const appCommand = app.endsWith('.ts')
    ? `${path.join(root, 'node_modules', '.bin', 'ts-node')} --transpile-only --prefer-ts-exts ${app}`
    : `${process.execPath} ${app}`;
  const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
  const args = ['synth', '--app', appCommand, '--output', outdir, '--quiet', '--no-notices', '--no-lookups'];
  for (const [k, v] of Object.entries(options.context)) args.push('--context', `${k}=${v}`);
  // No AWS credentials: synth must not reach AWS (lookups come from cdk.context.json).
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  log(`cdk ${args.join(' ')}`);
  const r = await run(cdk, args, root, env);
  if (r.code !== 0) throw new Error(`cdk synth of ${app} failed (exit ${r.code}):\n${r.output.slice(-6000)}`);

  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: Record<string, unknown>; dependencies?: string[] }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const candidates = stacks.map(([id, a]) => {
    const file = path.join(outdir, String(a.properties?.templateFile));
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as CfnTemplate;
    const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    return { id, artifact: a, template, machines: machines.length };
  }).filter((c) => c.machines > 0);
  if (candidates.length !== 1) {
    throw new Error(`expected exactly one stack with a state machine in ${app}, found ${candidates.map((c) => c.id).join(', ') || 'none'}`);
  }
  const chosen = candidates[0];
  const stackName = String(chosen.artifact.properties?.stackName ?? chosen.id);
  const assetArtifact = (chosen.artifact.dependencies ?? [])
    .map((d) => manifest.artifacts[d])
    .find((a) => a?.type === 'cdk:asset-manifest');
  const assets: FileAsset[] = [];
  if (assetArtifact) {
    const assetManifest = JSON.parse(fs.readFileSync(path.join(outdir, String(assetArtifact.properties?.file)), 'utf8')) as {
      files?: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
      dockerImages?: Record<string, unknown>;
    };
    if (Object.keys(assetManifest.dockerImages ?? {}).length > 0) {
      throw new Error('the app has Docker image assets; the rehearsal cannot build them (no Docker)');
    }
    for (const [id, f] of Object.entries(assetManifest.files ?? {})) {
      for (const d of Object.values(f.destinations)) {
        assets.push({
          id,
          sourcePath: path.join(outdir, f.source.path),
          packaging: f.source.packaging === 'zip' ? 'zip' : 'file',
          bucketName: d.bucketName,
          objectKey: d.objectKey,
        });
      }
    }
  }
  return { outdir, stackName, template: chosen.template, assets, durationMs: Date.now() - t0, command: ['cdk', ...args] };
}
