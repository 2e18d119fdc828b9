/**
 * Starts moto_server for the rehearsal: moto's own server (the same `moto[server]==5.2.1` package the tests
 * use) behind moto_server_patched.py, which fixes moto's Auto Scaling stack updates and placement (see that
 * file). Same shape as test/support/moto.ts.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from '../../test/support/free-port';
import { MOTO_CREDENTIALS, MOTO_INSTALL_HINT, MotoServer } from '../../test/support/moto';

export const PATCHED_SERVER = path.join(__dirname, 'moto_server_patched.py');

/** The Python that runs moto_server (its shebang), so the patch imports the same moto. */
export function motoPython(): string {
  const which = spawnSync('sh', ['-c', 'command -v moto_server']);
  if (which.status !== 0) throw new Error(MOTO_INSTALL_HINT);
  for (const python of ['python3', 'python']) {
    const probe = spawnSync(python, ['-c', 'import moto.server, moto.autoscaling; print(moto.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  throw new Error(`moto_server is on PATH but no python3 imports moto. ${MOTO_INSTALL_HINT}`);
}

export async function startRehearsalMoto(): Promise<MotoServer> {
  const python = motoPython();
  const port = await freePort();
  const child: ChildProcess = spawn(python, [PATCHED_SERVER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server (patched) exited with ${child.exitCode}: ${output}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server (patched) did not answer on ${endpoint} within 60 s: ${output}`);
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
