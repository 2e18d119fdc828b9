import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../free-port';

/** Debian's PostgreSQL 15 binaries (package postgresql-15). */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL cluster on a free port of 127.0.0.1, for tests and the rehearsal. */
export interface ThrowawayPostgres {
  readonly port: number;
  readonly user: string;
  /** The PG* variables psql needs to reach `database`. */
  env(database?: string): NodeJS.ProcessEnv;
  /** Runs `sql` in `database` with psql; returns stdout (unaligned, tuples only). */
  psql(sql: string, database?: string): string;
  stop(): void;
}

/**
 * Starts a fresh cluster (initdb + pg_ctl) in a temporary folder, listening only on 127.0.0.1. PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  if (!fs.existsSync(path.join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL not found in ${POSTGRES_BIN}: install it with apt-get install postgresql-15 (or set POSTGRES_BIN)`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-'));
  const data = path.join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : os.userInfo().username;
  if (asRoot) {
    fs.chmodSync(root, 0o755);
    execFileSync('chown', ['postgres:postgres', root]);
  }
  const run = (bin: string, args: string[]) => {
    const command = asRoot ? 'runuser' : path.join(POSTGRES_BIN, bin);
    const full = asRoot ? ['-u', 'postgres', '--', path.join(POSTGRES_BIN, bin), ...args] : args;
    const out = spawnSync(command, full, { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${bin} failed (${out.status}): ${out.stderr}${out.stdout}`);
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', user, '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', path.join(root, 'log'), '-w', '-t', '60', 'start',
    '-o', `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off`]);
  const env = (database = 'postgres'): NodeJS.ProcessEnv => ({
    ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: user, PGDATABASE: database,
  });
  return {
    port, user, env,
    psql: (sql, database) => execFileSync(path.join(POSTGRES_BIN, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      { env: env(database), encoding: 'utf8' }),
    stop: () => {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
