/** The OpenAPI 3.1 description of the gateway's public API. */
import { changesPaths } from './openapi-changes.js';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._~:-]{1,200}$' } };
const positionParams = [
  { name: 'position', in: 'query', schema: { type: 'string', example: '2:1041' }, description: 'Answer only once the view has applied this position (read your writes).' },
  { name: 'wait', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 10000, default: 2000 }, description: 'How long to wait for the position, in ms.' },
  { name: 'X-Bookshelf-Position', in: 'header', schema: { type: 'string' }, description: 'Same as ?position=.' },
];
const idempotencyKey = { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 }, description: 'The same key again answers as the first time and writes nothing.' };
const positionHeader = { 'X-Bookshelf-Position': { schema: { type: 'string' }, description: 'Log position of what was written: pass it to a view to read your write.' } };
const commandRefusals = {
  '401': problem('A bearer token is required (when the service runs with --auth-token)'),
  '404': problem('No such book (unknown_book)'),
  '409': problem('The book was removed (book_removed)'),
  '422': problem('The Idempotency-Key was used for another command (idempotency_key_reused)'),
  '503': problem('Kafka unavailable, service catching up, or no instance (broker_unavailable, catching_up, no_instance)'),
};
const accepted = { description: 'Done, after Kafka acknowledged the event', headers: positionHeader };

export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Bookshelf', version, description: 'An event-sourced bookshelf: commands go to the books aggregate, reads come from views folded from Kafka.' },
    paths: {
      '/bookshelf/books': {
        post: {
          summary: 'Add a book',
          operationId: 'addBook',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewBook' } } } },
          responses: {
            '201': { ...json('The book, with its id and the position of its event', { $ref: '#/components/schemas/AddedBook' }), headers: { ...positionHeader, Location: { schema: { type: 'string' } } } },
            '400': problem('Invalid JSON or a wrong field (invalid_json, invalid_body)'),
            '401': commandRefusals['401'],
            '409': problem('A book with this id exists (book_exists)'),
            '413': problem('Body over 64 KiB'),
            '422': commandRefusals['422'],
            '415': problem('Body is not JSON'),
            '503': commandRefusals['503'],
          },
        },
        get: {
          summary: 'Every book on the shelf',
          operationId: 'listBooks',
          parameters: [{ name: 'status', in: 'query', schema: { enum: ['unread', 'reading', 'read'] } }, ...positionParams],
          responses: { '200': json('The books', { type: 'array', items: { $ref: '#/components/schemas/Book' } }), '400': problem('Bad query'), '503': problem('Position not reached, or no instance') },
        },
      },
      '/bookshelf/books/last/read': {
        get: {
          summary: 'The last read books, most recent first',
          operationId: 'lastReadBooks',
          parameters: positionParams,
          responses: { '200': json('The books', { type: 'array', items: { $ref: '#/components/schemas/ReadBook' } }), '503': problem('Position not reached, or no instance') },
        },
      },
      '/bookshelf/books/{id}': {
        get: {
          summary: 'One book',
          operationId: 'getBook',
          parameters: [idParam, ...positionParams],
          responses: { '200': json('The book', { $ref: '#/components/schemas/Book' }), '404': problem('No such book'), '503': problem('Position not reached, or no instance') },
        },
        delete: { summary: 'Remove a book', operationId: 'removeBook', parameters: [idParam, idempotencyKey], responses: { '204': accepted, ...commandRefusals } },
      },
      '/bookshelf/books/{id}/started': {
        post: { summary: 'Start reading a book', operationId: 'startBook', parameters: [idParam, idempotencyKey], responses: { '204': accepted, ...commandRefusals } },
      },
      '/bookshelf/books/{id}/finished': {
        post: { summary: 'Finish a book (starting it if needed; again is a re-read)', operationId: 'finishBook', parameters: [idParam, idempotencyKey], responses: { '204': accepted, ...commandRefusals } },
      },
      '/bookshelf/books/{id}/rating': {
        put: {
          summary: 'Rate a book that was read',
          operationId: 'rateBook',
          parameters: [idParam, idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['rating'], properties: { rating: { type: 'integer', minimum: 1, maximum: 5 } } } } } },
          responses: { '204': accepted, '400': problem('Rating not an integer 1–5'), ...commandRefusals, '409': problem('Not read yet, or removed (not_read_yet, book_removed)') },
        },
      },
      ...changesPaths,
      '/services': { get: { summary: 'What the gateway knows from Consul, with health', operationId: 'services', responses: { '200': json('Instances by service', { type: 'object' }) } } },
      '/health': { get: { summary: 'Health of the gateway', operationId: 'health', responses: { '200': json('pass', { type: 'object' }), '429': json('warn', { type: 'object' }), '503': json('fail', { type: 'object' }) } } },
    },
    security: [{}, { bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only when the services run with --auth-token: commands (and reads with --auth-reads) need it.' } },
      schemas: {
        Author: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
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
        AddedBook: { allOf: [{ $ref: '#/components/schemas/NewBook' }, { type: 'object', required: ['id', 'position'], properties: { position: { type: 'string' } } }] },
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
          properties: { id: { type: ['string', 'null'] }, title: { type: 'string' }, author: { type: 'array', items: { $ref: '#/components/schemas/Author' } }, type: { type: 'string' }, year: { type: 'string' }, readAt: { type: 'string' } },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' } },
        },
      },
    },
  };
}
