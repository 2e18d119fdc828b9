import { spawn } from 'node:child_process';
import { SchemaDatabase } from './schema-database';

/**
 * The schema database through `psql`, connected by the standard PG* environment variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD, PGDATABASE: the ECS task gets them from the database secret).
 */
export class PsqlDatabase implements SchemaDatabase {
  constructor(private readonly psql = 'psql', private readonly env: NodeJS.ProcessEnv = process.env) {}

  public async query(sql: string): Promise<string[][]> {
    const out = await this.run(['-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  }

  public async runScript(path: string): Promise<void> {
    // --single-transaction: a script that fails halfway leaves nothing applied.
    await this.run(['-X', '-q', '--single-transaction', '-v', 'ON_ERROR_STOP=1', '-f', path]);
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.psql, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql exited ${code}: ${stderr.trim().slice(0, 2000)}`))));
    });
  }
}
