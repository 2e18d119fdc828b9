/** Structured JSON logs: one object per line, searchable in CloudWatch Logs Insights. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function jsonLogger(base: LogFields = {}, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const emit = (level: string) => (message: string, fields: LogFields = {}) =>
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...base, ...fields }));
  return { info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  return { lines, ...jsonLogger({}, (l) => lines.push(JSON.parse(l))) };
}
