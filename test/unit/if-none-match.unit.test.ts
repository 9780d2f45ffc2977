import { describe, expect, it } from 'vitest';
import { noneMatchHas } from '../../bookshelf/adapters/http/read-your-writes.middleware.js';

describe('If-None-Match against the current ETag', () => {
  const tag = '"0:12,1:7,2:30"';

  it('matches the tag itself, though its quotes hold commas', () => {
    expect(noneMatchHas(tag, tag)).toBe(true);
  });

  it('matches it weakly and anywhere in a list', () => {
    expect(noneMatchHas(`W/${tag}`, tag)).toBe(true);
    expect(noneMatchHas(`"0:12", W/"x", ${tag}`, tag)).toBe(true);
    expect(noneMatchHas(`"0:12","1:7",${tag}`, tag)).toBe(true);
  });

  it('does not match a part of the tag, another tag, or nothing', () => {
    expect(noneMatchHas('"0:12"', tag)).toBe(false);
    expect(noneMatchHas('"0:12", "1:7", "2:30"', tag)).toBe(false);
    expect(noneMatchHas('0:12,1:7,2:30', tag)).toBe(false);
    expect(noneMatchHas('', tag)).toBe(false);
  });

  it('matches anything for *', () => {
    expect(noneMatchHas(' * ', tag)).toBe(true);
  });
});
