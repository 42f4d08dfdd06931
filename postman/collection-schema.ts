/**
 * JSON Schema for the parts of the Postman Collection Format v2.1.0 this collection uses (info,
 * folders, requests, raw bodies, scripts, variables), written from the format's documentation.
 * Unknown keys are rejected where the format defines none, so a typo in the generator fails the
 * contract test instead of being silently ignored by the Postman app.
 */

/** An object with exactly these properties (unknown keys rejected), the listed ones required. */
function closedObject<P extends Record<string, unknown>>(properties: P, required: readonly string[] = []) {
  return {
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    properties,
  } as const;
}

const stringOrStrings = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

const keyValue = closedObject(
  {
    key: { type: 'string' },
    value: { type: 'string' },
    disabled: { type: 'boolean' },
    description: { type: 'string' },
  },
  ['key', 'value'],
);

/** What folders (item groups) and requests (items) both have. */
const NAMED_PROPERTIES = {
  id: { type: 'string' },
  name: { type: 'string', minLength: 1 },
  description: { type: 'string' },
  variable: { $ref: '#/$defs/variables' },
  event: { $ref: '#/$defs/events' },
};

export const COLLECTION_V21_SCHEMA = {
  $id: 'pets-harness/postman-collection-v2.1-subset',
  type: 'object',
  required: ['info', 'item'],
  additionalProperties: false,
  properties: {
    info: closedObject(
      {
        name: { type: 'string', minLength: 1 },
        _postman_id: { type: 'string' },
        description: { type: 'string' },
        schema: { const: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
      },
      ['name', 'schema'],
    ),
    item: { type: 'array', items: { oneOf: [{ $ref: '#/$defs/item' }, { $ref: '#/$defs/itemGroup' }] } },
    event: { $ref: '#/$defs/events' },
    variable: { $ref: '#/$defs/variables' },
  },
  $defs: {
    events: {
      type: 'array',
      items: closedObject(
        {
          id: { type: 'string' },
          listen: { enum: ['prerequest', 'test'] },
          disabled: { type: 'boolean' },
          script: closedObject({
            id: { type: 'string' },
            type: { const: 'text/javascript' },
            exec: stringOrStrings,
            name: { type: 'string' },
          }),
        },
        ['listen', 'script'],
      ),
    },
    variables: {
      type: 'array',
      items: closedObject(
        {
          id: { type: 'string' },
          key: { type: 'string', minLength: 1 },
          value: {},
          type: { enum: ['string', 'boolean', 'any', 'number'] },
          name: { type: 'string' },
          description: { type: 'string' },
          disabled: { type: 'boolean' },
        },
        ['key'],
      ),
    },
    itemGroup: closedObject(
      {
        ...NAMED_PROPERTIES,
        item: { type: 'array', items: { oneOf: [{ $ref: '#/$defs/item' }, { $ref: '#/$defs/itemGroup' }] } },
      },
      ['item'],
    ),
    item: closedObject(
      {
        ...NAMED_PROPERTIES,
        request: { $ref: '#/$defs/request' },
        response: { type: 'array' },
      },
      ['request'],
    ),
    request: closedObject({
      url: {
        oneOf: [
          { type: 'string' },
          closedObject({
            raw: { type: 'string' },
            protocol: { type: 'string' },
            host: stringOrStrings,
            port: { type: 'string' },
            path: stringOrStrings,
            query: { type: 'array', items: keyValue },
            hash: { type: 'string' },
            variable: { $ref: '#/$defs/variables' },
          }),
        ],
      },
      method: {
        enum: [
          'GET',
          'PUT',
          'POST',
          'PATCH',
          'DELETE',
          'COPY',
          'HEAD',
          'OPTIONS',
          'LINK',
          'UNLINK',
          'PURGE',
          'LOCK',
          'UNLOCK',
          'PROPFIND',
          'VIEW',
        ],
      },
      header: { type: 'array', items: keyValue },
      body: closedObject({
        mode: { enum: ['raw', 'urlencoded', 'formdata', 'file', 'graphql'] },
        raw: { type: 'string' },
        disabled: { type: 'boolean' },
      }),
      description: { type: 'string' },
    }),
  },
} as const;
