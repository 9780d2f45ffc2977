/** One readable line per pino JSON line, for the launcher's combined output. */

const levelNames = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Known from the prefix, or too long for a terminal line (BOOKSHELF_LOG_FORMAT=json shows the lines whole).
const hidden = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'module', 'v', 'stack', 'timestamp', 'logger']);
const MAX_VALUE = 160;

function showValue(value) {
  if (value && typeof value === 'object' && typeof value.message === 'string') return JSON.stringify(value.message);
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

/** `{ text, record }`: `module: msg key=value …`, with the level only when it is warn or worse. */
export function formatLogLine(line) {
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (!record || typeof record !== 'object' || typeof record.msg !== 'string') return { text: line };
  const level = record.level >= 40 ? `${levelNames[record.level] ?? record.level} ` : '';
  const module = typeof record.module === 'string' ? `${record.module}: ` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !hidden.has(key))
    .map(([key, value]) => `${key}=${showValue(value)}`);
  return { text: `${level}${module}${record.msg}${fields.length ? ` ${fields.join(' ')}` : ''}`, record };
}

/** Calls `onLine` for each complete line of a stream (and the last partial one at its end). */
export function readLines(stream, onLine) {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part !== '') onLine(part);
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial);
    partial = '';
  });
}
