/** The last read books: most recently finished first, each book once, removed books left out. */
import type { Author, BookDetails, RecordedEvent } from '../events.js';
import { assertNever } from '../events.js';
import { isoMillis } from '../iso-time.js';
import type { Projection } from '../projection.js';
import { sharedAuthors } from './author-lists.js';
import { encodeLastRead, lastReadDecoder } from './last-read.snapshot.js';
import { SegmentMap } from './segment-map.js';

interface Read {
  /** null for a `book-read` line that named no book: it stands as its own entry. */
  id: string | null;
  readAt: string;
  readAtMs: number;
  /** Arrival order, to break ties between reads at the same time. */
  seq: number;
  details: BookDetails;
}

/** The fields of a book an entry shows; absent ones are undefined (and left out of the entry). */
interface ShownDetails {
  title: string | undefined;
  author: Author[] | undefined;
  type: string | undefined;
  year: string | undefined;
}

export interface LastReadView {
  /** Details of each book, from `book-added`: what an entry shows of it; restored from a snapshot, built when first shown. */
  books: SegmentMap<ShownDetails>;
  /** Author lists kept once each; restored from a snapshot, each built when first named. */
  authors: SegmentMap<Author[]>;
  /** Latest read per book (or per event for anonymous reads); restored from a snapshot, built when first changed. */
  reads: SegmentMap<Read>;
  removed: Set<string>;
  seq: number;
  /**
   * The last ranking (`lastReadBooks`) and the keys of the reads set since, which together hold the next top: a read
   * only ever moves forward in time. Null before the first ranking, or once more reads came than are worth looking
   * at one by one; never part of a snapshot.
   */
  ranked: { size: number; top: Read[]; since: string[] } | null;
}

export interface LastReadEntry {
  id: string | null;
  title?: string;
  author?: Author[];
  type?: string;
  year?: string;
  readAt: string;
}

export const lastReadProjection: Projection<LastReadView> = {
  initialState: () => ({
    books: new SegmentMap(),
    reads: new SegmentMap(),
    removed: new Set(),
    seq: 0,
    authors: new SegmentMap(),
    ranked: null,
  }),
  // Bump `version` with any change to evolve or to the chunks: snapshots of another version are not used.
  snapshot: {
    name: 'last-read',
    version: 5,
    encode: encodeLastRead,
    decoder: () => lastReadDecoder(() => lastReadProjection.initialState()),
  },

  evolve(view, event: RecordedEvent) {
    switch (event.type) {
      case 'book-added': {
        const { title, author, type, year } = event.data;
        view.books.set(event.data.id, {
          title,
          author: author === undefined ? undefined : sharedAuthors(view.authors, author),
          type,
          year,
        });
        return view;
      }
      case 'book-read': {
        const { id } = event.data;
        const readAtMs = isoMillis(event.metadata.created);
        const key = id ?? `event:${event.metadata.eventId}`;
        const previous = view.reads.get(key);
        // A late-arriving older read must not push a newer one back.
        if (previous && previous.readAtMs > readAtMs) return view;
        view.reads.set(key, { id: id ?? null, readAt: event.metadata.created, readAtMs, seq: ++view.seq, details: detailsOf(event.data) });
        if (view.ranked !== null && view.ranked.since.push(key) > RANK_AGAIN_AFTER) view.ranked = null;
        return view;
      }
      case 'book-removed':
        view.removed.add(event.data.id);
        return view;
      case 'book-started':
      case 'book-rated':
        return view;
      default:
        return assertNever(event);
    }
  },
};

/**
 * Whether an applied event changed what the view shows (or may have): a read, or the details or removal of a
 * book read before. Starting, rating and adding an unread book change nothing here, so no change is sent.
 */
export function lastReadChanged(view: LastReadView, event: RecordedEvent): boolean {
  switch (event.type) {
    case 'book-read':
      return true;
    case 'book-added':
    case 'book-removed':
      return view.reads.has(event.data.id);
    case 'book-started':
    case 'book-rated':
      return false;
    default:
      return assertNever(event);
  }
}

/** Most reads name only the book: they share one empty object rather than keep one each. */
const NO_DETAILS: BookDetails = Object.freeze({});

function detailsOf(data: BookDetails & { id?: string }): BookDetails {
  if (
    data.title === undefined &&
    data.author === undefined &&
    data.type === undefined &&
    data.year === undefined &&
    data.isbn === undefined
  )
    return NO_DETAILS;
  const { id: _id, ...details } = data;
  return details;
}

const newestFirst = (a: Read, b: Read): number => b.readAtMs - a.readAtMs || b.seq - a.seq;

/** Reads set since the last ranking beyond which every read is ranked again rather than these one by one. */
const RANK_AGAIN_AFTER = 4096;

/** The `size` most recently read books, newest first; the view keeps this list (`ranked`) for the next call. */
export function lastReadBooks(view: LastReadView, size: number): LastReadEntry[] {
  const top: Read[] = [];
  // Restored reads are built for this pass only: ranking them keeps no object per read.
  for (const read of sinceRanked(view, size) ?? view.reads.peekValues()) {
    if (read.id !== null && view.removed.has(read.id)) continue;
    if (top.length === size && newestFirst(read, top[size - 1] as Read) >= 0) continue;
    top.push(read);
    top.sort(newestFirst);
    if (top.length > size) top.pop();
  }
  view.ranked = { size, top, since: [] };
  return top.map((read) => toEntry(view, read));
}

/**
 * The reads that can make the top now: the last top and the reads set since. Enough because a read only moves
 * forward in time and nothing else changes the ranking, except removing a book of the last top: then (or when there
 * is no last top of this size) undefined, and every read is ranked.
 */
function sinceRanked(view: LastReadView, size: number): Read[] | undefined {
  const { ranked } = view;
  if (ranked === null || ranked.size !== size || ranked.top.some((read) => read.id !== null && view.removed.has(read.id))) return undefined;
  // One per book: a book of the last top read again since is there once, as it is now (its key came since).
  const current = new Map<string | Read, Read>();
  for (const read of ranked.top) current.set(read.id ?? read, read);
  for (const key of ranked.since) {
    const read = view.reads.get(key)!;
    current.set(read.id ?? read, read);
  }
  return [...current.values()];
}

function toEntry(view: LastReadView, read: Read): LastReadEntry {
  const known = read.id === null ? undefined : view.books.get(read.id);
  // What book-added said wins over what the read carried.
  const title = known?.title ?? read.details.title;
  const author = known?.author ?? read.details.author;
  const type = known?.type ?? read.details.type;
  const year = known?.year ?? read.details.year;
  return {
    id: read.id,
    ...(title !== undefined && { title }),
    ...(author !== undefined && { author }),
    ...(type !== undefined && { type }),
    ...(year !== undefined && { year }),
    readAt: read.readAt,
  };
}
