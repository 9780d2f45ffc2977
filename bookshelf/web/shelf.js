// The shelf page: loads the views, follows GET /bookshelf/changes, and sends commands through the gateway.
/* global document, EventSource */
import { Refused, command, includes, parsePosition, read } from './shelf-api.js';
import { bookRow, lastReadItems } from './shelf-render.js';

const $ = (id) => document.getElementById(id);
const list = $('books');
const booksEmpty = $('books-empty');
const lastList = $('last-read');
const lastEmpty = $('last-empty');
const filter = $('filter');

/** id → { row, book, at }: `at` is the book's newest event the row shows (`"p:o"`), to ignore older news. */
const books = new Map();
let listPosition = new Map();
let lastPosition = new Map();
let lastEventId = '';
let loaded = false;
const lag = new Map();
const viewsDown = new Set();

const encodeRoute = (id) => encodeURIComponent(id);
const newer = (entry, at) =>
  !(entry?.at && entry.at.split(':')[0] === at.split(':')[0] && Number(entry.at.split(':')[1]) >= Number(at.split(':')[1]));

function showEmptyStates() {
  const shown = [...books.values()].filter(({ book }) => !filter.value || book.status === filter.value).length;
  for (const { row, book } of books.values()) row.item.hidden = Boolean(filter.value) && book.status !== filter.value;
  booksEmpty.textContent = !loaded
    ? booksEmpty.textContent
    : books.size === 0
      ? 'No books on the shelf yet. Add one with the form.'
      : shown === 0
        ? `No ${filter.value} books.`
        : '';
  booksEmpty.hidden = booksEmpty.textContent === '';
}

function putBook(book, at) {
  let entry = books.get(book.id);
  if (entry && at && !newer(entry, at)) return;
  if (!entry) {
    entry = { row: bookRow(book.id, { run }), book, at: at ?? null };
    books.set(book.id, entry);
    list.prepend(entry.row.item);
  }
  entry.book = book;
  if (at) entry.at = at;
  entry.row.update(book);
  showEmptyStates();
}

function dropBook(id) {
  const entry = books.get(id);
  if (!entry) return;
  entry.row.item.remove();
  books.delete(id);
  showEmptyStates();
}

function showLastRead(entries) {
  lastList.replaceChildren(...lastReadItems(entries));
  lastEmpty.textContent = entries.length === 0 ? 'Nothing read yet.' : '';
  lastEmpty.hidden = entries.length === 0 ? false : true;
}

async function loadBooks() {
  const { position, body } = await read('/bookshelf/books');
  listPosition = parsePosition(position);
  const ids = new Set(body.map((book) => book.id));
  for (const id of [...books.keys()]) if (!ids.has(id)) dropBook(id);
  loaded = true;
  for (const book of body) putBook(book);
  showEmptyStates();
  return position;
}

async function loadLastRead(position) {
  const answer = await read('/bookshelf/books/last/read', position);
  lastPosition = parsePosition(answer.position);
  showLastRead(answer.body);
  return answer.position;
}

function setConnection(state) {
  const node = $('connection');
  node.dataset.state = state;
  $('connection-state').textContent = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  const behind = [...lag.values()].reduce((a, b) => a + b, 0);
  $('behind').textContent =
    state !== 'live' ? '' : behind === 0 ? 'up to date' : `${behind} event${behind === 1 ? '' : 's'} behind the log`;
}

/** One applied change from a view: the row or the last-read list it carries, unless the page already shows newer. */
function onChange(change) {
  if (change.view === 'booklist') {
    if (includes(listPosition, change.at)) return;
    if (change.event === 'book-removed' || change.row === null) {
      if (change.book !== null && change.event === 'book-removed') dropBook(change.book);
      return;
    }
    putBook(change.row, change.at);
  } else if (change.view === 'lastreadbooks') {
    if (includes(lastPosition, change.at)) return;
    showLastRead(change.lastRead);
  }
}

let source;
function follow() {
  const url = `/bookshelf/changes${lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : ''}`;
  source = new EventSource(url);
  const remember = (event) => {
    if (event.lastEventId) lastEventId = event.lastEventId;
  };
  source.onopen = () => setConnection(viewsDown.size === 0 ? 'live' : 'reconnecting');
  source.onmessage = (event) => {
    remember(event);
    onChange(JSON.parse(event.data));
  };
  source.addEventListener('status', (event) => {
    remember(event);
    const status = JSON.parse(event.data);
    if (status.connected === false) viewsDown.add(status.view);
    else viewsDown.delete(status.view);
    if (typeof status.lag === 'number') lag.set(status.view, status.lag);
    setConnection(viewsDown.size === 0 ? 'live' : 'reconnecting');
  });
  source.addEventListener('reload', (event) => {
    remember(event);
    void loadAll();
  });
  source.onerror = () => {
    setConnection('reconnecting');
    // The browser retries by itself unless the answer was not a stream (the gateway refused or is away).
    if (source.readyState === EventSource.CLOSED) setTimeout(follow, 2000);
  };
}

async function loadAll() {
  try {
    const [listAt, lastAt] = await Promise.all([loadBooks(), loadLastRead()]);
    return `booklist=${listAt};lastreadbooks=${lastAt}`;
  } catch (error) {
    const detail = error instanceof Refused ? error.message : String(error);
    if (!loaded) booksEmpty.textContent = `The shelf cannot be shown right now: ${detail} Trying again…`;
    setTimeout(loadAll, 2000);
    return '';
  }
}

/** A command on one book, then its effect read back at the command's position: no flash of the old state. */
async function run(id, act, errorNode) {
  const entry = books.get(id);
  // A double click must not finish a book twice: one button command at a time per book (a rating may always change).
  const guarded = typeof act !== 'object';
  if (guarded && entry?.busy) return;
  if (guarded && entry) entry.busy = true;
  const buttons = entry ? [...entry.row.item.querySelectorAll('button, select')] : [];
  errorNode.textContent = '';
  for (const control of buttons) control.setAttribute('aria-busy', 'true');
  try {
    const path = `/bookshelf/books/${encodeRoute(id)}`;
    const { position } =
      act === 'remove'
        ? await command('DELETE', path)
        : typeof act === 'object'
          ? await command('PUT', `${path}/rating`, act)
          : await command('POST', `${path}/${act}`);
    await showWrite(id, position);
  } catch (error) {
    errorNode.textContent = error instanceof Refused ? error.message : String(error);
    books.get(id)?.row.resetRating(books.get(id)?.book);
  } finally {
    if (guarded && entry) entry.busy = false;
    for (const control of buttons) control.removeAttribute('aria-busy');
  }
}

async function showWrite(id, position) {
  const [book] = await Promise.allSettled([read(`/bookshelf/books/${encodeRoute(id)}`, position), loadLastRead(position)]);
  if (book.status === 'fulfilled') putBook(book.value.body, position.includes(',') ? undefined : position);
  else if (book.reason instanceof Refused && book.reason.status === 404) dropBook(id);
}

$('add-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $('add-error');
  const field = (name) => form.elements[name].value.trim();
  const authors = field('author')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const book = {
    title: field('title'),
    ...(authors.length > 0 && { author: authors.map((name) => ({ name })) }),
    ...(field('type') && { type: field('type') }),
    ...(field('year') && { year: field('year') }),
  };
  if (book.title === '') {
    error.textContent = 'A book needs a title.';
    form.elements.title.focus();
    return;
  }
  error.textContent = '';
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const { position, body } = await command('POST', '/bookshelf/books', book);
    form.reset();
    form.elements.title.focus();
    await showWrite(body.id, position);
  } catch (failure) {
    error.textContent = failure instanceof Refused ? failure.message : String(failure);
  } finally {
    submit.disabled = false;
  }
});

filter.addEventListener('change', showEmptyStates);

setConnection('connecting');
lastEventId = await loadAll();
follow();
