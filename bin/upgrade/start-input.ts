/**
 * The execution input `upgrade start` sends: the same JSON the console takes, from `--input JSON` or
 * `--input-file PATH`, with flags (`--image`, `--target-capacity`, ...) setting single fields on top.
 */
import { readFileSync } from 'node:fs';
import { UpgradeValues, UsageError, integerOption } from './options';

export function startInput(values: UpgradeValues): Record<string, unknown> {
  if (values.input !== undefined && values['input-file'] !== undefined) throw new UsageError('give --input or --input-file, not both');
  let base: unknown = {};
  if (values.input !== undefined) base = parseJson(values.input, '--input');
  if (values['input-file'] !== undefined) {
    let text: string;
    try {
      text = readFileSync(values['input-file'], 'utf8');
    } catch (err) {
      throw new UsageError(`--input-file ${values['input-file']}: ${(err as Error).message}`);
    }
    base = parseJson(text, `--input-file ${values['input-file']}`);
  }
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    throw new UsageError(`the input must be a JSON object like {"dockerImage": "neo4j:5.26.2-enterprise"}, got ${JSON.stringify(base)?.slice(0, 200)}`);
  }
  const input: Record<string, unknown> = { ...base };
  const set = (field: string, value: unknown) => {
    if (value !== undefined) input[field] = value;
  };
  set('dockerImage', values.image);
  set('targetVersion', values['target-version']);
  set('fromVersion', values['from-version']);
  set('targetCapacity', integerOption(values, 'target-capacity', 0));
  set('slaveCapacity', integerOption(values, 'slave-capacity', 0));
  set('cloneRegions', values['clone-region']);
  set('approvalMode', values['approval-mode']);
  set('allowSameVersion', values['allow-same-version']);
  set('lockTtlSeconds', integerOption(values, 'lock-ttl', 0));
  set('comment', values.comment);
  const approvalSeconds = integerOption(values, 'approval-timeout', 0);
  if (approvalSeconds !== undefined) input.timeouts = { ...(input.timeouts as object | undefined), approvalSeconds };
  return input;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where} is not JSON: ${(err as Error).message}`);
  }
}
