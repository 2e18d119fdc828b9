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

/** One stack of the app: what deploying it needs. */
export interface SynthStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly assets: FileAsset[];
}

export interface SynthResult extends SynthStack {
  readonly outdir: string;
  /**
   * Every stack of the app, each after the stacks it depends on (a cluster in one stack and its upgrade
   * in another: the cluster's first). The result's own stackName/template/assets are the stack that
   * holds the upgrade state machine.
   */
  readonly stacks: SynthStack[];
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

  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = inDependencyOrder(manifest).map((id) => stackOf(outdir, manifest, id));
  const withMachine = stacks.filter((st) => Object.values(st.template.Resources).some((r) => r.Type === 'AWS::StepFunctions::StateMachine'));
  if (withMachine.length !== 1) {
    throw new Error(`expected exactly one stack with a state machine in ${app}, found ${withMachine.map((c) => c.stackName).join(', ') || 'none'}`);
  }
  return { outdir, ...withMachine[0], stacks, durationMs: Date.now() - t0, command: ['cdk', ...args] };
}

interface Manifest {
  artifacts: Record<string, { type: string; properties?: Record<string, unknown>; dependencies?: string[] }>;
}

/** The app's stack artifacts, each after the stacks it depends on. */
function inDependencyOrder(manifest: Manifest): string[] {
  const isStack = (id: string) => manifest.artifacts[id]?.type === 'aws:cloudformation:stack';
  const order: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (order.includes(id)) return;
    if (path.includes(id)) throw new Error(`stacks depend on each other in a cycle: ${[...path, id].join(' -> ')}`);
    for (const d of manifest.artifacts[id].dependencies ?? []) if (isStack(d)) visit(d, [...path, id]);
    order.push(id);
  };
  for (const id of Object.keys(manifest.artifacts).filter(isStack)) visit(id, []);
  return order;
}

/** A stack artifact's template and the file assets its deployment publishes. */
function stackOf(outdir: string, manifest: Manifest, id: string): SynthStack {
  const artifact = manifest.artifacts[id];
  const template = JSON.parse(fs.readFileSync(path.join(outdir, String(artifact.properties?.templateFile)), 'utf8')) as CfnTemplate;
  const stackName = String(artifact.properties?.stackName ?? id);
  const assetArtifact = (artifact.dependencies ?? [])
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
    for (const [assetId, f] of Object.entries(assetManifest.files ?? {})) {
      for (const d of Object.values(f.destinations)) {
        assets.push({
          id: assetId,
          sourcePath: path.join(outdir, f.source.path),
          packaging: f.source.packaging === 'zip' ? 'zip' : 'file',
          bucketName: d.bucketName,
          objectKey: d.objectKey,
        });
      }
    }
  }
  return { stackName, template, assets };
}
