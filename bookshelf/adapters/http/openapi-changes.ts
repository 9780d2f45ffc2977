/** The OpenAPI description of the live parts of the gateway: the change stream and the web page. */

const lastEventId = [
  {
    name: 'Last-Event-ID',
    in: 'header',
    schema: { type: 'string', example: 'booklist=0:5,1:3;lastreadbooks=0:4' },
    description:
      'Resume after this event id (an EventSource sends it by itself when it reconnects): no change is lost or sent twice while the views still keep the changes after it, else a `reload` event comes first.',
  },
  {
    name: 'lastEventId',
    in: 'query',
    schema: { type: 'string' },
    description: 'Same as the Last-Event-ID header, for a first connection (an EventSource cannot set headers).',
  },
];

const stream = `Server-Sent Events, one per change a view applied (an event that changed what it shows: last-read sends none for starting or rating a book, nor for adding or removing one never read), merged from list-books (\`booklist\`) and last-read (\`lastreadbooks\`):

    id: booklist=0:5,1:3;lastreadbooks=0:4
    data: {"view":"booklist","event":"book-read","book":"b-42","at":"1:3","created":"…","row":{"id":"b-42","status":"read",…}}

- \`id\`: each view's position token after the change (\`<view>=<partition>:<offset>,…\` joined by \`;\`); give it back as Last-Event-ID to resume.
- \`data\` (default event type \`message\`): \`view\`, \`event\` (the event's name), \`book\` (its id, or null), \`at\` (where the event stands in the log), \`created\`, and what the view now says about it: \`row\` (list-books: the book's row, null once removed) or \`lastRead\` (last-read: the last read books).
- \`event: status\`: \`{"view","lag","caughtUp"}\` when a view's lag changes, and \`{"view","connected":false,"reason"}\` while the gateway moves to another instance of that view.
- \`event: reload\`: the view no longer keeps every change after the given id: fetch the books again.
- Comment lines (\`: heartbeat\`) every 15 s keep proxies from closing an idle stream. A client that does not read is dropped.

Each view offers the same at its own \`GET /changes\`, with its own position token as \`id\`. When the instance serving a view goes away, the gateway resumes that view on another passing instance from the last id it got.`;

export const changesPaths = {
  '/bookshelf/changes': {
    get: {
      summary: 'Every change to the shelf, live (Server-Sent Events)',
      description: stream,
      operationId: 'changes',
      parameters: lastEventId,
      responses: {
        '200': {
          description: 'An endless event stream',
          content: {
            'text/event-stream': {
              // One event (OpenAPI 3.2's itemSchema), its fields as the stream carries them.
              itemSchema: {
                type: 'object',
                properties: {
                  id: {
                    type: 'string',
                    description: "Each view's position token after the change: <view>=<partition>:<offset>,… joined by ;",
                  },
                  event: { enum: ['message', 'status', 'reload'], description: 'Absent (message) for a change' },
                  data: { type: 'string', contentMediaType: 'application/json', description: 'One JSON object, described above' },
                  retry: { type: 'integer', minimum: 0 },
                },
              },
              example: 'id: booklist=0:5;lastreadbooks=0:4\ndata: {"view":"booklist","event":"book-added","book":"b-42","at":"0:5",…}\n\n',
            },
          },
        },
        '400': {
          description: 'Last-Event-ID is not one this stream gave (invalid_position)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  },
  '/': {
    get: {
      summary: 'The shelf as a web page, live',
      description:
        'HTML for people: the books, the last read ones, a form to add one and buttons to start, finish, rate and remove. Its scripts and styles come from `/web/`; it follows `/bookshelf/changes`.',
      operationId: 'page',
      responses: { '200': { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
};
