import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The boot scripts in lib/cluster/scripts/. */
export const SCRIPTS_DIR = path.join(__dirname, '..', '..', 'lib', 'cluster', 'scripts');

export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script as a child process (asynchronously, so several can race) and collects its output. */
export function runScript(script: string, env: NodeJS.ProcessEnv, timeoutMs = 100_000): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d.toString(); });
    child.stderr.on('data', (d) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Throws (so the test fails, never skips) when a command the tests need is missing. */
export function requireCommand(command: string, installHint: string): void {
  const which = spawnSync('sh', ['-c', `command -v ${command}`]);
  if (which.status !== 0) {
    throw new Error(`'${command}' was not found on PATH. ${installHint}`);
  }
}

/** An environment without the given variables (so a test can be sure the script does not read them). */
export function envWithout(env: NodeJS.ProcessEnv, ...names: string[]): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of names) delete copy[name];
  return copy;
}

/** A sparse all-zero disk image: what a new EBS volume looks like to blkid. Returns its path. */
export function blankImage(file: string, mib = 32): string {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, mib * 1024 * 1024);
  return file;
}

export interface Recorder {
  /** The executable to hand to the script under test. */
  readonly path: string;
  /** The argument lists it was called with, one line per call. */
  calls(): string[];
}

/** An executable `dir/name` that records its arguments, then runs the shell line `then`. */
export function recorder(dir: string, name: string, then = 'exit 0'): Recorder {
  const file = path.join(dir, name);
  const log = `${file}.calls`;
  fs.writeFileSync(file, `#!/bin/sh\necho "$*" >> '${log}'\n${then}\n`, { mode: 0o755 });
  return {
    path: file,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}
