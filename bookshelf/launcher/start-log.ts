/** One readable line per pino JSON line, for the launcher's combined output. */
import type { Readable } from 'node:stream';

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Known from the prefix, or too long for a terminal line (BOOKSHELF_LOG_FORMAT=json shows the lines whole).
const hidden = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'module', 'v', 'stack', 'timestamp', 'logger']);
const MAX_VALUE = 160;

function showValue(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return JSON.stringify(value.message);
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return value;
  const text = (JSON.stringify(value) as string | undefined) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** `{ text, record }`: `module: msg key=value …`, with the level only when it is warn or worse. */
export function formatLogLine(line: string): { text: string; record?: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (!parsed || typeof parsed !== 'object' || !('msg' in parsed) || typeof parsed.msg !== 'string') return { text: line };
  const record = parsed as Record<string, unknown> & { msg: string };
  const levelNumber = Number(record.level);
  const level = levelNumber >= 40 ? `${levelNames[levelNumber] ?? levelNumber} ` : '';
  const module = typeof record.module === 'string' ? `${record.module}: ` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !hidden.has(key))
    .map(([key, value]) => `${key}=${showValue(value)}`);
  return { text: `${level}${module}${record.msg}${fields.length ? ` ${fields.join(' ')}` : ''}`, record };
}

/** Calls `onLine` for each complete line of a stream (and the last partial one at its end). */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part !== '') onLine(part);
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial);
    partial = '';
  });
}
