/**
 * `upgrade watch`: polls one execution (`--execution`, else the latest) until it ends, or, with
 * `--until-approval`, until it waits for an approval. On a terminal the display is redrawn in place;
 * otherwise a plain line is printed per change (a stage starting or ending, the step, an approval).
 */
import { executionEvents, executionShape } from '../execution-events';
import { executionProgress } from '../execution-progress';
import { progressLines, stageLine } from '../format-progress';
import { RefusedError, integerOption } from '../options';
import { stateMachineArnOf } from '../state-machine-ref';
import { describeExecution, latestExecution } from '../target-execution';
import { VerbContext } from '../verb-context';

export async function watch(ctx: VerbContext): Promise<number> {
  const intervalMs = (integerOption(ctx.values, 'interval', 1) ?? 10) * 1000;
  const timeoutSeconds = integerOption(ctx.values, 'timeout', 1);
  const sfn = await ctx.clients.sfn();
  const executionArn = ctx.values.execution ?? await latestExecution(sfn, await stateMachineArnOf(ctx.values, ctx.clients), ctx.values);
  const shape = await executionShape(sfn, executionArn);
  const tty = ctx.io.stderr.isTTY === true;
  const started = ctx.now().getTime();
  const printed = new Set<string>();
  let drawn = 0;
  for (;;) {
    const [described, events] = await Promise.all([describeExecution(sfn, executionArn), executionEvents(sfn, executionArn)]);
    const progress = executionProgress(events, shape);
    const status = String(described.status);
    const now = ctx.now();
    if (tty) {
      const lines = progressLines({ executionArn, status }, progress, now);
      ctx.io.stderr.write((drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '') + lines.join('\n') + '\n');
      drawn = lines.length;
    } else {
      // One line per change: keyed by what changed, printed once.
      const a = progress.pendingApproval;
      const changes: Array<[string, string]> = [
        ...progress.stages.filter((s) => s.status !== 'not-started')
          .map((s): [string, string] => [`stage ${s.key} ${s.status}`, stageLine(s, now).trim()]),
        ...(progress.step && !progress.end ? [[`step ${progress.step.name} ${progress.step.since.getTime()}`, `step: ${progress.step.name}`] as [string, string]] : []),
        ...(a ? [[`approval ${a.stateName} ${a.since.getTime()}`, `approval pending: ${a.stage ?? a.stateName}`] as [string, string]] : []),
      ];
      for (const [key, line] of changes) {
        if (!printed.has(key)) ctx.io.stderr.write(`${now.toISOString()} ${line}\n`);
        printed.add(key);
      }
    }
    if (status !== 'RUNNING') {
      ctx.io.stdout.write(`${executionArn} ${status}\n`);
      return status === 'SUCCEEDED' ? 0 : 1;
    }
    if (ctx.values['until-approval'] && progress.pendingApproval) {
      ctx.io.stdout.write(`${executionArn} WAITING_FOR_APPROVAL ${progress.pendingApproval.stage ?? progress.pendingApproval.stateName}\n`);
      return 0;
    }
    if (timeoutSeconds !== undefined && now.getTime() - started >= timeoutSeconds * 1000) {
      throw new RefusedError(`--timeout ${timeoutSeconds}s reached; execution ${executionArn} is still ${status}`);
    }
    await ctx.sleep(intervalMs);
  }
}
