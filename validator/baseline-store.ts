import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Snapshot } from './snapshot';
import { parseSnapshot, serializeSnapshot } from './snapshot';

/**
 * A baseline in an SSM String parameter. Plain JSON up to 4 KB (Standard tier), plain JSON up to 8 KB
 * (Advanced tier), else gzip + base64 prefixed `gzip:` if that fits in 8 KB; beyond that the size is
 * reported (BaselineTooLargeError) so the caller can keep the baseline in S3 or a file instead.
 */
export const SSM_STANDARD_LIMIT = 4096;
export const SSM_ADVANCED_LIMIT = 8192;
const GZIP_PREFIX = 'gzip:';

export interface EncodedBaseline {
  readonly value: string;
  readonly encoding: 'json' | 'gzip+base64';
  readonly tier: 'Standard' | 'Advanced';
  /** Bytes of the parameter value. */
  readonly sizeBytes: number;
  /** Bytes of the plain JSON. */
  readonly jsonBytes: number;
}

export class BaselineTooLargeError extends Error {
  constructor(readonly jsonBytes: number, readonly compressedBytes: number) {
    super(
      `the baseline is ${jsonBytes} bytes of JSON (${compressedBytes} bytes gzip+base64), more than an SSM parameter holds ` +
        `(${SSM_ADVANCED_LIMIT} bytes, Advanced tier): keep it in S3 or a file`,
    );
    this.name = 'BaselineTooLargeError';
  }
}

export function encodeBaselineForSsm(snapshot: Snapshot): EncodedBaseline {
  const json = serializeSnapshot(snapshot);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  if (jsonBytes <= SSM_ADVANCED_LIMIT) {
    return { value: json, encoding: 'json', tier: jsonBytes <= SSM_STANDARD_LIMIT ? 'Standard' : 'Advanced', sizeBytes: jsonBytes, jsonBytes };
  }
  const value = GZIP_PREFIX + gzipSync(json, { level: 9 }).toString('base64');
  const sizeBytes = Buffer.byteLength(value, 'utf8');
  if (sizeBytes > SSM_ADVANCED_LIMIT) throw new BaselineTooLargeError(jsonBytes, sizeBytes);
  return { value, encoding: 'gzip+base64', tier: sizeBytes <= SSM_STANDARD_LIMIT ? 'Standard' : 'Advanced', sizeBytes, jsonBytes };
}

export function decodeBaselineFromSsm(value: string, origin: string): Snapshot {
  const json = value.startsWith(GZIP_PREFIX) ? gunzipSync(Buffer.from(value.slice(GZIP_PREFIX.length), 'base64')).toString('utf8') : value;
  return parseSnapshot(json, origin);
}

/** Writes (overwrites) the parameter. A parameter once Advanced stays Advanced (SSM cannot downgrade). */
export async function storeBaselineInSsm(ssm: SSMClient, name: string, snapshot: Snapshot, description?: string): Promise<EncodedBaseline> {
  const encoded = encodeBaselineForSsm(snapshot);
  const put = (tier: 'Standard' | 'Advanced') =>
    ssm.send(new PutParameterCommand({ Name: name, Value: encoded.value, Type: 'String', Tier: tier, Overwrite: true, Description: description }));
  try {
    await put(encoded.tier);
    return encoded;
  } catch (err) {
    if (encoded.tier === 'Standard' && /advanced/i.test((err as Error).message ?? '')) {
      await put('Advanced');
      return { ...encoded, tier: 'Advanced' };
    }
    throw err;
  }
}

export async function loadBaselineFromSsm(ssm: SSMClient, name: string): Promise<Snapshot> {
  const out = await ssm.send(new GetParameterCommand({ Name: name }));
  return decodeBaselineFromSsm(out.Parameter?.Value ?? '', `SSM parameter ${name}`);
}
