/**
 * Structured logs: one JSON object per line (what CloudWatch, Loki and `jq` want), or a short
 * coloured line when a person is watching a terminal. Deliberately tiny: no transport threads,
 * nothing to configure beyond the level.
 */
type LogLevel = "debug" | "info" | "warn" | "error";
type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const colours: Record<LogLevel, string> = {
  debug: "\x1b[90m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};

export interface LoggerOptions {
  level?: LogLevel;
  pretty?: boolean;
  write?: (line: string) => void;
  base?: LogFields;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = order[options.level ?? "info"];
  const pretty = options.pretty ?? false;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};

  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (order[level] < min) return;
    const time = new Date().toISOString();
    // Spread fields first for key order, then restore the three core keys: a field named `level` or
    // `msg` must not turn an error line into a debug line or hide the message.
    const record = { time, level, msg, ...base, ...fields };
    Object.assign(record, { time, level, msg });
    if (!pretty) {
      write(JSON.stringify(record, errorReplacer));
      return;
    }
    const { time: _t, level: _l, msg: _m, ...rest } = record;
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest, errorReplacer)}` : "";
    write(`${time.slice(11, 23)} ${colours[level]}${level.padEnd(5)}\x1b[0m ${msg}\x1b[90m${extra}\x1b[0m`);
  };

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** A logger that drops everything: tests that do not care about logs. */
export const silentLogger: Logger = createLogger({ write: () => {} });
