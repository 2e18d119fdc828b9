/** What every verb gets: its options, the output streams, the AWS clients, and a clock (for watch's tests). */
import { UpgradeClients } from './clients';
import { UpgradeValues } from './options';

export interface UpgradeIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  /** Progress and notes; watch draws its display here when it is a terminal. */
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface VerbContext {
  readonly values: UpgradeValues;
  readonly positionals: readonly string[];
  readonly io: UpgradeIo;
  readonly clients: UpgradeClients;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Who acts: `--by`, else the login name from the environment. */
export function operatorName(ctx: VerbContext): string {
  return ctx.values.by ?? ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'unknown operator';
}

export function say(ctx: VerbContext, line: string): void {
  ctx.io.stderr.write(line + '\n');
}
