import { spawn, spawnSync } from 'node:child_process';
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
