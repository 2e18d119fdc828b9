#!/usr/bin/env node
/**
 * neo4j-ecs-upgrades CLI: the operator's upgrade commands, migration validation and export/import.
 *
 *   upgrade <verb> start|status|watch|approve|reject|abort|unlock|redrive|history (see bin/upgrade/upgrade-cli.ts)
 *   validate       --source URI --target URI [--key Label=prop[,prop]]... [--quick [--sample-size N]] [--json]
 *   baseline       --source URI --out FILE|ssm:NAME [--key ...] [--quick] [--partition I/K[:internal-id]]
 *   compare        --baseline FILE|ssm:NAME --target URI [--json]
 *   combine        --out FILE PART.json...
 *   export-import  --source URI --target URI [--read-batch N] [--write-batch N] [--max-batch-mb N] [--validate [--key ...]]
 *
 * Credentials never go on the command line: NEO4J_SOURCE_USER / NEO4J_SOURCE_PASSWORD and
 * NEO4J_TARGET_USER / NEO4J_TARGET_PASSWORD (else NEO4J_USER / NEO4J_PASSWORD), or a Secrets Manager
 * secret {"username","password"} named by --source-secret / --target-secret (or NEO4J_SOURCE_SECRET_ARN /
 * NEO4J_TARGET_SECRET_ARN). Exit status: 0 no difference, 1 differences found, 2 usage or runtime error.
 * Progress goes to stderr, the report to stdout.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Driver } from 'neo4j-driver';
import type { CaptureProgress } from '../validator/capture';
import type { Credentials } from '../validator/connect';
import { progressBar } from '../validator/progress-bar';
import type { ProgressBar } from '../validator/progress-bar';
import type { ValidationReport } from '../validator/report';
import type { Snapshot } from '../validator/snapshot';

/** The validator, loaded once a command runs (see cli-validator.ts). */
let v: typeof import('./cli-validator');

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
}

class UsageError extends Error {}

const USAGE = `usage: cli <command> [options]
  upgrade <verb> start, status, watch, approve, reject, abort, unlock, redrive, history (upgrade --help)
  validate       --source URI --target URI [--key Label=prop[,prop]]... [--quick [--sample-size N]] [--json]
  baseline       --source URI --out FILE|ssm:NAME [--key ...] [--quick [--sample-size N]] [--partition I/K[:internal-id]]
  compare        --baseline FILE|ssm:NAME --target URI [--json]
  combine        --out FILE PART.json...
  export-import  --source URI --target URI [--read-batch N] [--write-batch N] [--max-batch-mb N] [--validate [--key ...]]
common: --source-database NAME --target-database NAME --fetch-size N --quiet
credentials (never on the command line): NEO4J_SOURCE_USER/NEO4J_SOURCE_PASSWORD, NEO4J_TARGET_USER/NEO4J_TARGET_PASSWORD
  (fallback NEO4J_USER/NEO4J_PASSWORD), or --source-secret ARN / --target-secret ARN (or NEO4J_SOURCE_SECRET_ARN / NEO4J_TARGET_SECRET_ARN)
exit status: 0 no difference, 1 differences found, 2 usage or runtime error`;

const OPTIONS = {
  source: { type: 'string' },
  target: { type: 'string' },
  baseline: { type: 'string' },
  out: { type: 'string' },
  key: { type: 'string', multiple: true },
  quick: { type: 'boolean' },
  'sample-size': { type: 'string' },
  partition: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  validate: { type: 'boolean' },
  'read-batch': { type: 'string' },
  'write-batch': { type: 'string' },
  'max-batch-mb': { type: 'string' },
  'fetch-size': { type: 'string' },
  'source-database': { type: 'string' },
  'target-database': { type: 'string' },
  'source-secret': { type: 'string' },
  'target-secret': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORBIDDEN = ['password', 'user', 'username', 'source-password', 'target-password', 'source-user', 'target-user'];

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  for (const a of args) {
    const name = /^--([^=]+)/.exec(a)?.[1];
    if (name && FORBIDDEN.includes(name)) {
      throw new UsageError(`--${name}: credentials are not taken from the command line (they would show in ps and shell history); use NEO4J_SOURCE_PASSWORD etc. or --source-secret ARN`);
    }
  }
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export async function runCli(argv: string[], io: CliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    // Its own options and usage; loaded only when asked for (see cli-upgrade.ts).
    if (argv[0] === 'upgrade') return await (await import('./cli-upgrade')).runUpgradeCli(argv.slice(1), io);
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.stdout.write(USAGE + '\n');
      return command || values.help ? 0 : 2;
    }
    v ??= await import('./cli-validator');
    switch (command) {
      case 'validate':
        return await validateCommand(values, io);
      case 'baseline':
        return await baselineCommand(values, io);
      case 'compare':
        return await compareCommand(values, io);
      case 'combine':
        return combineCommand(values, rest, io);
      case 'export-import':
        return await exportImportCommand(values, io);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n${USAGE}\n`);
    } else {
      io.stderr.write(`error: ${(err as Error).message}\n`);
    }
    return 2;
  }
}

function required(values: Values, name: keyof Values): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function intOption(values: Values, name: keyof Values): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function keysOption(values: Values) {
  try {
    return v.parseKeyOption(values.key ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function partitionOption(values: Values) {
  const v = values.partition;
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)(?::(key-hash|internal-id))?$/.exec(v);
  if (!m || Number(m[1]) >= Number(m[2])) throw new UsageError(`--partition must be I/K with 0 <= I < K (optionally :internal-id), got ${JSON.stringify(v)}`);
  return { index: Number(m[1]), count: Number(m[2]), strategy: (m[3] ?? 'key-hash') as 'key-hash' | 'internal-id' };
}

async function credentialsFor(side: 'source' | 'target', values: Values, env: NodeJS.ProcessEnv): Promise<Credentials> {
  const arn = values[`${side}-secret`] ?? env[`NEO4J_${side.toUpperCase()}_SECRET_ARN`];
  if (arn) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
    return v.parseCredentialsSecret(out.SecretString, arn);
  }
  const fromEnv = v.credentialsFromEnv(side, env);
  if (!fromEnv) {
    throw new UsageError(`no credentials for the ${side}: set NEO4J_${side.toUpperCase()}_PASSWORD (and _USER), or --${side}-secret ARN`);
  }
  return fromEnv;
}

async function open(side: 'source' | 'target', uri: string, values: Values, env: NodeJS.ProcessEnv): Promise<Driver> {
  const credentials = await credentialsFor(side, values, env);
  const driver = v.connect(uri, credentials);
  let accepted: boolean;
  try {
    accepted = await driver.verifyAuthentication();
  } catch (err) {
    await driver.close();
    throw new Error(`cannot connect to the ${side} at ${v.redactUri(uri)}: ${(err as Error).message}`, { cause: err });
  }
  if (!accepted) {
    await driver.close();
    throw new Error(`cannot connect to the ${side} at ${v.redactUri(uri)}: user ${credentials.username} was not accepted (check the password)`);
  }
  return driver;
}

/** One progress line over several concurrent streams (source and target, nodes and relationships). */
function captureProgress(bar: ProgressBar | undefined) {
  const parts = new Map<string, CaptureProgress>();
  return (side: string, p: CaptureProgress) => {
    if (!bar) return;
    parts.set(`${side}/${p.phase}`, p);
    let done = 0;
    let total = 0;
    for (const q of parts.values()) {
      done += q.done;
      total += Math.max(q.total, q.done);
    }
    bar.update('checksums', done, total);
  };
}

function report(r: ValidationReport, values: Values, io: CliIo): number {
  io.stdout.write((values.json ? JSON.stringify(r, null, 2) : v.formatReport(r)) + '\n');
  return r.ok ? 0 : 1;
}

async function validateCommand(values: Values, io: CliIo): Promise<number> {
  const sourceUri = required(values, 'source');
  const targetUri = required(values, 'target');
  const keys = keysOption(values);
  const source = await open('source', sourceUri, values, io.env);
  try {
    const target = await open('target', targetUri, values, io.env);
    try {
      const bar = values.quiet ? undefined : progressBar(io.stderr);
      const progress = captureProgress(bar);
      const r = await v.validateDatabases(source, target, {
        keys,
        mode: values.quick ? 'quick' : 'full',
        sampleSize: intOption(values, 'sample-size'),
        fetchSize: intOption(values, 'fetch-size'),
        sourceDatabase: values['source-database'],
        targetDatabase: values['target-database'],
        sourceUri: v.redactUri(sourceUri),
        targetUri: v.redactUri(targetUri),
        onProgress: progress,
      });
      bar?.done();
      return report(r, values, io);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function baselineCommand(values: Values, io: CliIo): Promise<number> {
  const sourceUri = required(values, 'source');
  const out = required(values, 'out');
  const keys = keysOption(values);
  const partition = partitionOption(values);
  const source = await open('source', sourceUri, values, io.env);
  const started = Date.now();
  let snapshot: Snapshot;
  try {
    const bar = values.quiet ? undefined : progressBar(io.stderr);
    const progress = captureProgress(bar);
    snapshot = await v.captureSnapshot(source, {
      keys,
      mode: values.quick ? 'quick' : 'full',
      sampleSize: intOption(values, 'sample-size'),
      partition,
      fetchSize: intOption(values, 'fetch-size'),
      database: values['source-database'],
      uri: v.redactUri(sourceUri),
      onProgress: (p) => progress('source', p),
    });
    bar?.done();
  } finally {
    await source.close();
  }
  const where = await writeBaseline(out, snapshot);
  io.stderr.write(
    `baseline: ${snapshot.nodes.total} nodes, ${snapshot.relationships.total} relationships, ${snapshot.schema.indexes.length} indexes, ` +
      `${snapshot.schema.constraints.length} constraints in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${where}\n`,
  );
  return 0;
}

async function writeBaseline(out: string, snapshot: Snapshot): Promise<string> {
  if (out.startsWith('ssm:')) {
    const { SSMClient } = await import('@aws-sdk/client-ssm');
    const { storeBaselineInSsm } = await import('../validator/baseline-store');
    const stored = await storeBaselineInSsm(new SSMClient({}), out.slice(4), snapshot);
    return `${out} (${stored.sizeBytes} bytes, ${stored.encoding}, ${stored.tier} tier)`;
  }
  const json = v.serializeSnapshot(snapshot, true) + '\n';
  writeFileSync(out + '.tmp', json);
  renameSync(out + '.tmp', out);
  return `${out} (${Buffer.byteLength(json)} bytes)`;
}

async function readBaseline(from: string): Promise<Snapshot> {
  if (from.startsWith('ssm:')) {
    const { SSMClient } = await import('@aws-sdk/client-ssm');
    const { loadBaselineFromSsm } = await import('../validator/baseline-store');
    return loadBaselineFromSsm(new SSMClient({}), from.slice(4));
  }
  let text: string;
  try {
    text = readFileSync(from, 'utf8');
  } catch (err) {
    throw new UsageError(`--baseline ${from}: ${(err as Error).message}`);
  }
  return v.parseSnapshot(text, from);
}

async function compareCommand(values: Values, io: CliIo): Promise<number> {
  const baseline = await readBaseline(required(values, 'baseline'));
  const targetUri = required(values, 'target');
  const target = await open('target', targetUri, values, io.env);
  try {
    const bar = values.quiet ? undefined : progressBar(io.stderr);
    const progress = captureProgress(bar);
    const r = await v.compareWithBaseline(baseline, target, {
      database: values['target-database'],
      uri: v.redactUri(targetUri),
      fetchSize: intOption(values, 'fetch-size'),
      onProgress: (p) => progress('target', p),
    });
    bar?.done();
    return report(r, values, io);
  } finally {
    await target.close();
  }
}

function combineCommand(values: Values, parts: string[], io: CliIo): number {
  const out = required(values, 'out');
  if (parts.length === 0) throw new UsageError('combine needs the partition files as arguments');
  const whole = v.combineSnapshots(parts.map((p) => v.parseSnapshot(readFileSync(p, 'utf8'), p)));
  writeFileSync(out, v.serializeSnapshot(whole, true) + '\n');
  io.stderr.write(`combined ${parts.length} partitions: ${whole.nodes.total} nodes, ${whole.relationships.total} relationships -> ${out}\n`);
  return 0;
}

async function exportImportCommand(values: Values, io: CliIo): Promise<number> {
  const sourceUri = required(values, 'source');
  const targetUri = required(values, 'target');
  const keys = keysOption(values);
  const maxMb = intOption(values, 'max-batch-mb');
  const source = await open('source', sourceUri, values, io.env);
  try {
    const target = await open('target', targetUri, values, io.env);
    try {
      const bar = values.quiet ? undefined : progressBar(io.stderr);
      const abort = new AbortController();
      const onSignal = () => {
        io.stderr.write('\ninterrupt: stopping after the current transaction (run again to resume)\n');
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let result;
      try {
        result = await v.exportImport(source, target, {
          sourceDatabase: values['source-database'],
          targetDatabase: values['target-database'],
          readBatchSize: intOption(values, 'read-batch'),
          writeBatchSize: intOption(values, 'write-batch'),
          maxBatchBytes: maxMb === undefined ? undefined : maxMb * 1024 * 1024,
          signal: abort.signal,
          onProgress: (p) => {
            const done = p.nodesDone + p.relationshipsDone;
            bar?.update(`export-import ${p.phase}${p.resumed ? ' (resumed)' : ''}`, done, p.nodesTotal + p.relationshipsTotal);
          },
        });
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        bar?.done();
      }
      io.stderr.write(
        `export-import: ${result.nodes} nodes, ${result.relationships} relationships, ${result.schemaStatements.length} schema statements ` +
          `in ${result.seconds.toFixed(1)} s${result.resumed ? ' (resumed)' : ''}\n`,
      );
      if (!values.validate) return 0;
      const r = await v.validateDatabases(source, target, {
        keys,
        sourceDatabase: values['source-database'],
        targetDatabase: values['target-database'],
        sourceUri: v.redactUri(sourceUri),
        targetUri: v.redactUri(targetUri),
      });
      return report(r, values, io);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
