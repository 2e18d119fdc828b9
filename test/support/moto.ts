import { ChildProcess, spawn, spawnSync } from 'node:child_process';
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

/** Starts a fresh moto_server on a free port of 127.0.0.1 and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const which = spawnSync('sh', ['-c', 'command -v moto_server']);
  if (which.status !== 0) {
    throw new Error(MOTO_INSTALL_HINT);
  }
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => { output += d.toString(); });
  child.stderr?.on('data', (d) => { output += d.toString(); });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with ${child.exitCode}: ${output}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    localhostEndpoint: `http://localhost:${port}`,
    port,
    env: { ...process.env, ...MOTO_CREDENTIALS, AWS_ENDPOINT_URL: endpoint },
    log: () => output,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** SDK v3 client config pointed at a moto server. */
export function motoClientConfig(moto: MotoServer, region = 'us-east-1') {
  return {
    endpoint: moto.endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
  };
}
