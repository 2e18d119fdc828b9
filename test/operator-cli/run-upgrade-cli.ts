/** Runs `upgrade <verb>` in-process and collects its exit status and output. */
import { Writable } from 'node:stream';
import { UpgradeSeams, runUpgradeCli } from '../../bin/cli-upgrade';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function collector(isTTY = false): Writable & { text: () => string; isTTY?: boolean } {
  let text = '';
  const w = new Writable({ write(chunk, _enc, done) { text += chunk.toString(); done(); } }) as Writable & { text: () => string; isTTY?: boolean };
  w.text = () => text;
  w.isTTY = isTTY;
  return w;
}

export async function upgradeCli(args: string[], seams: UpgradeSeams = {}, options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector(options.tty);
  const code = await runUpgradeCli(args, { env: options.env ?? { USER: 'test-operator' }, stdout, stderr }, seams);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The run's output when its exit status is not `code`, so a failure shows why. */
export function outputUnless(run: CliRun, code: number): string {
  return run.code === code ? '' : `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}
