/** Answers of the operations described outside `defineRoute`: the success envelope and the refusals. */
import { errorExample, metadataExample } from './examples/index.js';
import { answer, enveloped, json, ref, type JsonSchema } from './openapi-path-helpers.js';

export const success = (data: unknown) => ({ success: true, data, metadata: metadataExample });
export const ok = (description: string, schema: JsonSchema, data: unknown) => answer(description, json(enveloped(schema), success(data)));
export const refused = (status: number, description: string) => answer(description, json(ref('Error'), errorExample(status, description)));

/** What every widget runtime route may refuse before its own checks. */
export const RUNTIME_REFUSALS = {
  401: refused(401, 'Deployment token missing, invalid or revoked'),
  403: refused(403, 'Origin not allowed, deployment paused or workspace suspended'),
  429: refused(429, 'Too many requests from this address or token'),
};
