// Draws the shelf from plain data; text goes in as text, never as markup.
/* global document, CSS */

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

export const authorsOf = (book) => (Array.isArray(book.author) ? book.author.map((a) => a.name).join(', ') : '');

const statusLabel = { unread: 'unread', reading: 'reading', read: 'read' };

/** A book's row, made once; `update` fills it again in place so that focus and open controls stay. */
export function bookRow(id, actions) {
  const title = el('h3', { className: 'title', id: `book-${CSS.escape(id)}` });
  const meta = el('p', { className: 'meta' });
  const status = el('span', { className: 'status' });
  const reads = el('span', { className: 'reads' });
  const error = el('p', { className: 'error', role: 'alert' });
  const button = (label, act) => el('button', { type: 'button', textContent: label, onclick: () => actions.run(id, act, error) });
  // Named by aria-label: a select inside its label would otherwise be named with its chosen option too.
  const rating = el('select', {
    name: 'rating',
    ariaLabel: 'Rating',
    onchange: () => actions.run(id, { rating: Number(rating.value) }, error),
  });
  rating.append(
    el('option', { value: '', textContent: '–', disabled: true }),
    ...[1, 2, 3, 4, 5].map((n) => el('option', { value: String(n), textContent: '★'.repeat(n) + ` ${n}` })),
  );
  const controls = el(
    'div',
    { className: 'actions' },
    button('Start', 'started'),
    button('Finish', 'finished'),
    el('label', { className: 'rating' }, el('span', { textContent: 'Rating', ariaHidden: 'true' }), rating),
    button('Remove', 'remove'),
  );
  const item = el(
    'li',
    { className: 'book' },
    el('article', {}, title, meta, el('p', { className: 'state' }, status, reads), controls, error),
  );
  item.dataset.id = id;
  item.setAttribute('aria-labelledby', title.id);

  return {
    item,
    error,
    update(book) {
      title.textContent = book.title ?? '(untitled)';
      const authors = authorsOf(book);
      meta.textContent = [authors && `by ${authors}`, book.type, book.year].filter(Boolean).join(' · ') || 'no details';
      status.textContent = statusLabel[book.status] ?? book.status;
      status.dataset.status = book.status;
      reads.textContent = book.readCount === 1 ? 'read once' : book.readCount > 1 ? `read ${book.readCount} times` : '';
      rating.value = book.rating === null || book.rating === undefined ? '' : String(book.rating);
      item.dataset.status = book.status;
    },
    /** Shows the rating the view holds again, after a refused one. */
    resetRating(book) {
      rating.value = book?.rating === null || book?.rating === undefined ? '' : String(book.rating);
    },
  };
}

export function lastReadItems(entries) {
  return entries.map((entry) =>
    el(
      'li',
      {},
      el('span', { className: 'title', textContent: entry.title ?? '(untitled)' }),
      authorsOf(entry) ? el('span', { className: 'meta', textContent: ` by ${authorsOf(entry)}` }) : '',
      el('time', { dateTime: entry.readAt, textContent: ` ${new Date(entry.readAt).toLocaleString()}`, className: 'when' }),
    ),
  );
}
