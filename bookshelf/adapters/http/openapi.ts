/** The OpenAPI 3.1 description of the gateway's public API. */
import { changesPaths } from './openapi-changes.js';

import { POSITION_PATTERN } from '../../app/log-position.js';
import { IDEMPOTENCY_KEY_PATTERN } from './book-requests.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._~:-]{1,200}$' } };
const positionSchema = { type: 'string', pattern: POSITION_PATTERN };
const positionParams = [
  {
    name: 'position',
    in: 'query',
    schema: positionSchema,
    example: '2:1041',
    description:
      'Answer only once the view has applied this position (read your writes): `<partition>:<offset>` pairs joined by commas. ' +
      'Header `X-Bookshelf-Position` takes the same token (given both, both must be reached).',
  },
  {
    name: 'wait',
    in: 'query',
    schema: { type: 'integer', minimum: 0, maximum: 10000, default: 2000 },
    description: 'How long to wait for the position, in ms (at most 10000).',
  },
  {
    name: 'If-None-Match',
    in: 'header',
    schema: { type: 'string' },
    description: 'An ETag of an earlier answer: 304 while the view has not changed since.',
  },
];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
  description:
    'The same key again with the same request answers as the first time and writes nothing; with another request (method, route or body) it is 422.',
};
const positionHeader = {
  'X-Bookshelf-Position': {
    schema: positionSchema,
    description: 'Log position of what was written: pass it to a view to read your write.',
  },
};
const gatewayFailures = {
  '502': problem('The service behind the gateway failed (bad_gateway)'),
  '503': problem('Kafka unavailable, service catching up, or no instance (broker_unavailable, catching_up, no_instance)'),
  '504': problem('The service behind the gateway did not answer in time (upstream_timeout)'),
};
const commandRefusals = {
  '400': problem('A malformed Idempotency-Key, or a wrong body (invalid_body, invalid_json)'),
  '401': problem('A bearer token is required (when the service runs with --auth-token)'),
  '404': problem('No such book (unknown_book)'),
  '409': problem('The book was removed (book_removed)'),
  '413': problem('Body over 64 KiB'),
  '415': problem('Body is not JSON'),
  '422': problem('The Idempotency-Key was used for another request (idempotency_key_reused)'),
  ...gatewayFailures,
  '503': problem(
    "Kafka unavailable, service catching up, the book's partition changing hands, or no instance (broker_unavailable, catching_up, rebalancing, no_instance)",
  ),
};
const health = (description: string) => ({
  description,
  content: {
    'application/health+json': {
      schema: { type: 'object', required: ['status'], properties: { status: { enum: ['pass', 'warn', 'fail'] } } },
    },
  },
});
const accepted = { description: 'Done, after Kafka acknowledged the event', headers: positionHeader };
const readHeaders = {
  ETag: {
    schema: { type: 'string' },
    description: 'Strong tag: the position at which the view last changed (lines that change nothing move the position, not the tag).',
  },
  'X-Bookshelf-Position': { schema: { type: 'string' }, description: 'The position the answer reflects.' },
};
const read = (description: string, schema: object) => ({ ...json(description, schema), headers: readHeaders });
const readRefusals = {
  '304': { description: 'Not modified: the view has not changed since the given ETag' },
  '400': problem('A malformed position, wait or query (invalid_position, invalid_query)'),
  '409': problem('The position is beyond the end of the log as Kafka reports it (position_beyond_log)'),
  '401': problem('A bearer token is required (when the services run with --auth-token --auth-reads)'),
  ...gatewayFailures,
  '503': problem('Position not reached in time, or no instance (not_caught_up, no_instance)'),
};
/** After adding a book, what can be done with it: its id, and its position so that reads see it. */
const bookLinks = {
  GetBook: { operationId: 'getBook', parameters: { id: '$response.body#/id', 'header.X-Bookshelf-Position': '$response.body#/position' } },
  StartBook: { operationId: 'startBook', parameters: { id: '$response.body#/id' } },
  FinishBook: { operationId: 'finishBook', parameters: { id: '$response.body#/id' } },
  RateBook: { operationId: 'rateBook', parameters: { id: '$response.body#/id' } },
  RemoveBook: { operationId: 'removeBook', parameters: { id: '$response.body#/id' } },
};
/** After a command on a book, a read of it at the command's position. */
const readAfterCommand = {
  GetBook: {
    operationId: 'getBook',
    parameters: { id: '$request.path.id', 'header.X-Bookshelf-Position': '$response.header.X-Bookshelf-Position' },
  },
};

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bookshelf',
      version,
      description: 'An event-sourced bookshelf: commands go to the books aggregate, reads come from views folded from Kafka.',
    },
    paths: {
      '/bookshelf/books': {
        post: {
          summary: 'Add a book',
          operationId: 'addBook',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewBook' } } } },
          responses: {
            '201': {
              ...json('The book, with its id and the position of its event', { $ref: '#/components/schemas/AddedBook' }),
              headers: { ...positionHeader, Location: { schema: { type: 'string' } } },
              links: bookLinks,
            },
            ...commandRefusals,
            '400': problem('Invalid JSON, a wrong field, or a malformed Idempotency-Key (invalid_json, invalid_body)'),
            '409': problem('A book with this id exists (book_exists)'),
          },
        },
        get: {
          summary: 'Every book on the shelf',
          operationId: 'listBooks',
          parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['unread', 'reading', 'read'] } }, ...positionParams],
          responses: { '200': read('The books', { type: 'array', items: { $ref: '#/components/schemas/Book' } }), ...readRefusals },
        },
      },
      '/bookshelf/books/last/read': {
        get: {
          summary: 'The last read books, most recent first',
          operationId: 'lastReadBooks',
          parameters: positionParams,
          responses: { '200': read('The books', { type: 'array', items: { $ref: '#/components/schemas/ReadBook' } }), ...readRefusals },
        },
      },
      '/bookshelf/books/{id}': {
        get: {
          summary: 'One book',
          operationId: 'getBook',
          parameters: [idParam, ...positionParams],
          responses: {
            '200': read('The book', { $ref: '#/components/schemas/Book' }),
            '404': problem('No such book (unknown_book)'),
            ...readRefusals,
          },
        },
        delete: {
          summary: 'Remove a book',
          operationId: 'removeBook',
          parameters: [idParam, idempotencyKey],
          responses: { '204': { ...accepted, links: readAfterCommand }, ...commandRefusals },
        },
      },
      '/bookshelf/books/{id}/started': {
        post: {
          summary: 'Start reading a book',
          operationId: 'startBook',
          parameters: [idParam, idempotencyKey],
          responses: { '204': { ...accepted, links: readAfterCommand }, ...commandRefusals },
        },
      },
      '/bookshelf/books/{id}/finished': {
        post: {
          summary: 'Finish a book (starting it if needed; again is a re-read)',
          operationId: 'finishBook',
          parameters: [idParam, idempotencyKey],
          responses: { '204': { ...accepted, links: readAfterCommand }, ...commandRefusals },
        },
      },
      '/bookshelf/books/{id}/rating': {
        put: {
          summary: 'Rate a book that was read',
          operationId: 'rateBook',
          parameters: [idParam, idempotencyKey],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['rating'],
                  additionalProperties: false,
                  properties: { rating: { type: 'integer', minimum: 1, maximum: 5 } },
                },
              },
            },
          },
          responses: {
            '204': { ...accepted, links: readAfterCommand },
            ...commandRefusals,
            '400': problem('Rating not an integer 1–5, or a malformed Idempotency-Key (invalid_body, invalid_json)'),
            '409': problem('Not read yet, or removed (not_read_yet, book_removed)'),
          },
        },
      },
      ...changesPaths,
      '/services': {
        get: {
          summary: "What the gateway knows from Consul, with health (and each books instance's partitions)",
          operationId: 'services',
          responses: { '200': json('Instances by service', { type: 'object' }) },
        },
      },
      '/health': {
        get: {
          summary: 'Health of the gateway: warn names the services with no passing instance',
          operationId: 'health',
          responses: {
            '200': health('pass'),
            '429': health('warn: Consul unreachable, or a service with no passing instance'),
            '503': health('fail'),
          },
        },
      },
    },
    security: [{}, { bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Only when the services run with --auth-token: commands (and reads with --auth-reads) need it.',
        },
      },
      schemas: {
        // A JSON body may not carry a `__proto__` key anywhere (400 invalid_json).
        Author: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' } },
          propertyNames: { not: { const: '__proto__' } },
        },
        NewBook: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9._~:-]{1,200}$', description: 'Made up (a UUID) when left out' },
            title: { type: 'string', minLength: 1, maxLength: 1000 },
            author: { oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/Author' } }, { type: 'string' }] },
            type: { type: 'string' },
            year: { type: 'string' },
            isbn: { type: 'string' },
          },
          example: { title: '1984', author: [{ name: 'George Orwell' }], type: 'novel', year: '1949' },
        },
        AddedBook: {
          type: 'object',
          required: ['id', 'title', 'position'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            author: { type: 'array', items: { $ref: '#/components/schemas/Author' } },
            type: { type: 'string' },
            year: { type: 'string' },
            isbn: { type: 'string' },
            position: positionSchema,
          },
        },
        Book: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            title: { type: ['string', 'null'] },
            author: { type: ['array', 'null'], items: { $ref: '#/components/schemas/Author' } },
            type: { type: ['string', 'null'] },
            year: { type: ['string', 'null'] },
            isbn: { type: ['string', 'null'] },
            status: { enum: ['unread', 'reading', 'read'] },
            rating: { type: ['integer', 'null'] },
            readCount: { type: 'integer' },
            addedAt: { type: ['string', 'null'], format: 'date-time' },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
            readAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        ReadBook: {
          type: 'object',
          properties: {
            id: { type: ['string', 'null'] },
            title: { type: 'string' },
            author: { type: 'array', items: { $ref: '#/components/schemas/Author' } },
            type: { type: 'string' },
            year: { type: 'string' },
            readAt: { type: 'string' },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            field: { type: 'string' },
          },
        },
      },
    },
  };
}
