/**
 * A tiny progress bar for long runs, written to stderr (stdout stays for the report). On a terminal it
 * redraws one line; otherwise it prints a plain line at most every `intervalMs` (CI logs stay short).
 */
export interface ProgressBar {
  update(label: string, done: number, total: number): void;
  done(message?: string): void;
}

export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
  options: { width?: number; intervalMs?: number; now?: () => number } = {},
): ProgressBar {
  const width = options.width ?? 30;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? (stream.isTTY ? 100 : 10_000);
  const started = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(label, done, total) {
      const t = now();
      if (t - last < interval && done < total) return;
      last = t;
      const line = renderProgress(label, done, total, (t - started) / 1000, width);
      if (stream.isTTY) {
        stream.write('\r' + line + '\x1b[K');
        drawn = true;
      } else {
        stream.write(line + '\n');
      }
    },
    done(message) {
      if (drawn) stream.write('\n');
      drawn = false;
      if (message) stream.write(message + '\n');
    },
  };
}

/** `label [#######-------]  45.0%  450000/1000000  12345/s` (pure, for tests). */
export function renderProgress(label: string, done: number, total: number, seconds: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${done}/${total}  ${rate}/s`;
}
