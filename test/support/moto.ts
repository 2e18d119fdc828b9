import { spawnSync } from 'node:child_process';
import { MOTO_INSTALL_HINT, MotoServer, launchMoto } from '../../tools/moto';

export { MOTO_CREDENTIALS, MOTO_INSTALL_HINT, MotoServer } from '../../tools/moto';

/** Starts a fresh moto_server on a free port of 127.0.0.1 and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) {
    throw new Error(MOTO_INSTALL_HINT);
  }
  return launchMoto({ command: 'moto_server' });
}

/** SDK v3 client config pointed at a moto server. */
export function motoClientConfig(moto: MotoServer, region = 'us-east-1') {
  return {
    endpoint: moto.endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' },
  };
}
