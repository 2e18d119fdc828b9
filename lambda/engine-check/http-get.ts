import { HttpGet } from './logic';

/** One GET with a timeout; the body is discarded (only the status counts). */
export const httpGet: HttpGet = async (url, timeoutMs) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return { status: res.status };
};
