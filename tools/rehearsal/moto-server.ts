/**
 * Starts moto_server for the rehearsal: moto's own server (the same `moto[server]==5.2.1` package the tests
 * use) behind moto_server_patched.py, which fixes moto's Auto Scaling stack updates and placement (see that
 * file). Launched like the tests' moto (tools/moto.ts).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { MOTO_INSTALL_HINT, MotoServer, launchMoto } from '../moto';

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

export async function startRehearsalMoto(env?: NodeJS.ProcessEnv): Promise<MotoServer> {
  return launchMoto({ command: motoPython(), args: [PATCHED_SERVER], label: 'moto_server (patched)', startTimeoutMs: 60_000, env });
}
