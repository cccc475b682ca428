/** A function's parameters schema used by the tool tests of every endpoint. */
export const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { enum: ['celsius', 'fahrenheit'] } },
  required: ['city', 'days', 'unit'],
  additionalProperties: false,
};
