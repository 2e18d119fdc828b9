import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from './free-port';

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** http://localhost:PORT (what `cdk deploy` needs) */
  readonly localhostEndpoint: string;
  readonly port: number;
  /** Environment for child processes (aws CLI, scripts) pointed at this server. */
  readonly env: NodeJS.ProcessEnv;
  /** The server's log so far (its traceback explains an SDK "XML parse error"). */
  log(): string;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  "moto_server was not found on PATH. Install it with: pip install 'moto[server]==5.2.1'";

/** Dummy credentials and region that moto accepts. */
export const MOTO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
};

/** How to run a moto server: the plain `moto_server`, or the rehearsal's patched one. */
export interface MotoLaunch {
  readonly command: string;
  /** Arguments before `-H 127.0.0.1 -p PORT`. */
  readonly args?: string[];
  /** Name used in error messages. */
  readonly label?: string;
  readonly startTimeoutMs?: number;
  /** Extra environment of the server process, e.g. moto's MOTO_ECS_SERVICE_RUNNING. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a moto server on a free port of 127.0.0.1 and waits until it answers. */
export async function launchMoto(launch: MotoLaunch): Promise<MotoServer> {
  const label = launch.label ?? 'moto_server';
  const port = await freePort();
  const child: ChildProcess = spawn(launch.command, [...(launch.args ?? []), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...launch.env },
  });
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    // Long rehearsals log a lot: keep the recent half.
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = launch.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}: ${output}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not answer on ${endpoint} within ${timeoutMs / 1000} s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    endpoint,
    localhostEndpoint: `http://localhost:${port}`,
    port,
    env: { ...process.env, ...MOTO_CREDENTIALS, AWS_ENDPOINT_URL: endpoint },
    log: () => output,
    stop: () => new Promise<void>((resolve) => {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}
