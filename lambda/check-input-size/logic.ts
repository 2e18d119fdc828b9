import { checkInputSize } from '../shared/input-size';
import { Logger } from '../shared/log';

export interface CheckInputSizeDeps {
  readonly log: Logger;
}

/**
 * The first state of every procedure: refuses an execution input over the cap before the first Pass
 * copies it into the state document. An input just under Step Functions' 256 KiB would otherwise fail
 * that Pass with States.DataLimitExceeded, which no Catch takes: refused without a clear reason. Only
 * the size: what the fields mean is validate-input's. Returns nothing (the state machine discards it).
 */
export async function logic(deps: CheckInputSizeDeps, input: unknown): Promise<{ bytes: number }> {
  const bytes = checkInputSize(input);
  deps.log.info('input size within the cap', { bytes });
  return { bytes };
}
