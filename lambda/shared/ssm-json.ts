import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isAwsError } from './aws-error';

/** An SSM String parameter holding JSON, as read back: `value` is undefined when it is not JSON. */
export interface JsonParameter<T> {
  readonly value: T | undefined;
  readonly raw: string;
  readonly version: number;
}

/** Reads a JSON parameter (optionally `name:version`); undefined when the parameter does not exist. */
export async function readJsonParameter<T>(ssm: SSMClient, name: string): Promise<JsonParameter<T> | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    const raw = out.Parameter?.Value ?? '';
    let value: T | undefined;
    try {
      value = JSON.parse(raw) as T;
    } catch {
      value = undefined;
    }
    return { value, raw, version: out.Parameter?.Version ?? 0 };
  } catch (err) {
    if (isAwsError(err, 'ParameterNotFound') || isAwsError(err, 'ParameterVersionNotFound')) return undefined;
    throw err;
  }
}
