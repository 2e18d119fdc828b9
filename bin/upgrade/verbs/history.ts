/** `upgrade history`: past executions, newest first: outcome, start, duration and each stage's time. */
import { executionEvents, executionShape } from '../execution-events';
import { executionProgress } from '../execution-progress';
import { duration } from '../format-progress';
import { integerOption } from '../options';
import { stateMachineArnOf } from '../state-machine-ref';
import { listExecutions } from '../target-execution';
import { VerbContext } from '../verb-context';

export async function history(ctx: VerbContext): Promise<number> {
  const limit = integerOption(ctx.values, 'limit', 1) ?? 10;
  const stateMachineArn = await stateMachineArnOf(ctx.values, ctx.clients);
  const sfn = await ctx.clients.sfn();
  const executions = await listExecutions(sfn, stateMachineArn, limit);
  const rows = [];
  for (const e of executions) {
    const arn = String(e.executionArn);
    const progress = executionProgress(await executionEvents(sfn, arn), await executionShape(sfn, arn));
    const end = e.stopDate ?? ctx.now();
    rows.push({
      executionArn: arn, name: e.name, status: e.status, startedAt: e.startDate?.toISOString(),
      durationMs: e.startDate ? end.getTime() - e.startDate.getTime() : undefined,
      ...(e.redriveCount && { redriveCount: e.redriveCount }),
      ...(progress.failedState && { failedState: progress.failedState }),
      stages: progress.stages.filter((s) => s.startedAt).map((s) => ({
        key: s.key, name: s.name, status: s.status,
        durationMs: s.startedAt ? (s.endedAt ?? end).getTime() - s.startedAt.getTime() : undefined,
      })),
    });
  }
  if (ctx.values.json) {
    ctx.io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (rows.length === 0) ctx.io.stdout.write(`no executions of ${stateMachineArn}\n`);
  for (const r of rows) {
    ctx.io.stdout.write(`${r.status?.padEnd(9)} ${r.startedAt}  ${duration(r.durationMs ?? 0).padStart(7)}  ${r.name}` +
      `${r.failedState ? `  failed at: ${r.failedState}` : ''}\n`);
    for (const s of r.stages) ctx.io.stdout.write(`    ${s.status.padEnd(9)} ${duration(s.durationMs ?? 0).padStart(7)}  ${s.name}\n`);
  }
  return 0;
}
