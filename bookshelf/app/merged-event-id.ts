/**
 * The event id of a merged change stream: each view's own position token, by view name
 * (`booklist=0:5,1:3;lastreadbooks=0:4`), so that each view can be resumed where its stream was.
 */
import { parsePosition } from './log-position.js';

export type MergedEventId = Record<string, string>;

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function formatMergedEventId(tokens: MergedEventId): string {
  return Object.entries(tokens)
    .map(([view, token]) => `${view}=${token}`)
    .join(';');
}

/** Throws an Error naming what is wrong; views not in `known` are refused. */
export function parseMergedEventId(text: string, known: readonly string[]): MergedEventId {
  const tokens: MergedEventId = {};
  if (text.trim() === '') return tokens;
  for (const part of text.split(';')) {
    const equals = part.indexOf('=');
    const view = part.slice(0, equals).trim();
    const token = part.slice(equals + 1).trim();
    if (equals < 0 || !NAME.test(view) || !known.includes(view)) {
      throw new Error(`"${text.slice(0, 100)}" is not <view>=<position>[;…] with views ${known.join(', ')}`);
    }
    if (token !== '') parsePosition(token);
    tokens[view] = token;
  }
  return tokens;
}
