/** The OpenAPI 3 document served at GET /api/openapi.json, built from the same constants the server checks. */
import { GARMENT_TYPES, SIZES } from '../types.ts';
import type { ServeOptions } from './options.ts';

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(version: string, options: ServeOptions): Record<string, unknown> {
  const secured = options.apiKey !== null;
  return {
    openapi: '3.0.3',
    info: {
      title: 'tryon',
      version,
      description:
        'Virtual try-on: upload a person photo and a garment (a photo, or a built-in template of a type in a colour); ' +
        'the result is a JPEG fetchable for a limited time at an unguessable URL.',
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl }] } : {}),
    paths: {
      '/api/virtual-tryon': tryonPath(options, secured),
      '/api/results/{filename}': {
        get: {
          operationId: 'getResult',
          summary: 'Fetch a result image (until it expires)',
          parameters: [{ name: 'filename', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}\\.(jpg|png|webp)$' } }],
          responses: {
            '200': { description: 'The image.', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } },
            '404': errorResponse('No such result, or it has expired.'),
          },
        },
      },
      '/api/health': {
        get: {
          operationId: 'health',
          summary: 'Status, version, loaded models, execution provider and queue depth',
          responses: {
            '200': { description: 'Healthy.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
            '503': { description: 'Shutting down (status "draining"): finishing requests in flight.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
          },
        },
      },
      '/api/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3 document.' } } },
      },
    },
    components: components(secured),
  };
}

/** The try-on endpoint: its form fields (with the server's limits) and its answers. */
function tryonPath(options: ServeOptions, secured: boolean): Record<string, unknown> {
  return {
    post: {
      operationId: 'virtualTryon',
      summary: 'Dress a person photo in a garment',
      ...(secured ? { security: [{ apiKey: [] }, { bearer: [] }] } : {}),
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['person_image', 'clothing_name', 'clothing_type', 'clothing_size'],
              additionalProperties: false,
              properties: {
                person_image: { type: 'string', format: 'binary', description: `JPEG, PNG or WebP photo of one person; at most ${options.maxUpload} bytes and ${options.maxPixels} pixels.` },
                clothing_name: { type: 'string', minLength: 1, maxLength: 200, description: 'Name of the garment (for messages).' },
                clothing_type: { type: 'string', enum: Object.keys(GARMENT_TYPES) },
                clothing_color: { type: 'string', pattern: '^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$', description: 'Hex colour. Required without clothing_image; with it, recolours the garment.' },
                clothing_size: { type: 'string', enum: [...SIZES] },
                clothing_image: { type: 'string', format: 'binary', description: 'Optional garment product photo; without it the built-in template of clothing_type in clothing_color is used.' },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'The try-on is done; fetch the image at result_image_url.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/TryonResult' } } },
        },
        '400': errorResponse('A field is missing or has a wrong value, or the body is not a well-formed form.'),
        '401': errorResponse('The API key is missing or wrong.'),
        '413': errorResponse('An upload is over the byte or pixel limit.'),
        '408': errorResponse(`The request did not arrive in full within ${options.uploadTimeoutMs / 1000} s.`),
        '415': errorResponse('An upload is not an image, or the body is not multipart/form-data.'),
        '422': errorResponse('No person found in person_image, or no garment in clothing_image.'),
        '429': errorResponse(`Too many requests from this client (RATE_LIMITED), or more than ${options.uploadsPerClient} uploads from it at once (TOO_MANY_UPLOADS).`, { 'Retry-After': { schema: { type: 'integer' } } }),
        '503': errorResponse('The queue or the uploads in progress are full; retry later.', { 'Retry-After': { schema: { type: 'integer' } } }),
      },
    },
  };
}

/** The schemas of the answers, and the security schemes when an API key is set. */
function components(secured: boolean): Record<string, unknown> {
  return {
    ...(secured
      ? {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
            bearer: { type: 'http', scheme: 'bearer' },
          },
        }
      : {}),
    schemas: {
      TryonResult: {
        type: 'object',
        required: ['success', 'result_image_url', 'message'],
        properties: {
          success: { type: 'boolean', enum: [true] },
          result_image_url: { type: 'string', format: 'uri' },
          message: { type: 'string' },
          warnings: { type: 'array', items: { type: 'string' }, description: 'What the try-on could not do well (a seated person, a three-quarter view, an unsure garment mask); empty when nothing.' },
        },
      },
      Error: {
        type: 'object',
        required: ['success', 'message', 'code'],
        properties: {
          success: { type: 'boolean', enum: [false] },
          message: { type: 'string', description: 'What is wrong, naming the field.' },
          code: {
            type: 'string',
            enum: [
              'BAD_OPTION', 'BAD_INPUT', 'UNSUPPORTED_FORMAT', 'NOT_MULTIPART', 'TOO_LARGE', 'NO_PERSON', 'NO_GARMENT', 'NOT_FOUND',
              'METHOD_NOT_ALLOWED', 'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'UNAUTHORIZED', 'RATE_LIMITED', 'TOO_MANY_UPLOADS',
              'QUEUE_FULL', 'SHUTTING_DOWN', 'INTERNAL',
            ],
          },
        },
      },
      Health: {
        type: 'object',
        required: ['status', 'version', 'models_loaded', 'execution_provider', 'queue'],
        properties: {
          status: { type: 'string', enum: ['ok', 'draining'] },
          version: { type: 'string' },
          models_loaded: { type: 'array', items: { type: 'string' } },
          execution_provider: { type: 'string' },
          queue: {
            type: 'object',
            properties: {
              depth: { type: 'integer', description: 'Requests with a complete upload waiting for a compute slot.' },
              active: { type: 'integer', description: 'Try-ons computing now.' },
              concurrency: { type: 'integer' },
              limit: { type: 'integer', description: 'Requests that may wait; beyond it 503.' },
            },
          },
          uploads: {
            type: 'object',
            properties: {
              active: { type: 'integer', description: 'Uploads being received now (they hold no queue place).' },
              limit: { type: 'integer', description: 'Uploads received at once; beyond it 503.' },
              per_client: { type: 'integer', description: 'Uploads one client may send at once; beyond it 429.' },
            },
          },
          results_stored: { type: 'integer' },
          results_bytes: { type: 'integer', description: 'Bytes of the results kept (bounded, oldest dropped first).' },
        },
      },
    },
  };
}
