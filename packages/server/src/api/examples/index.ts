import { ErrorCode } from '@switchboard/core';
import { API_VERSION, errorBody } from '../../http/envelope.js';
import { ApiError } from '../../http/errors.js';
import { AGENT_BODIES, AGENT_DATA } from './agents.js';
import { CHANNEL_BODIES, CHANNEL_DATA } from './channels.js';
import { CONVERSATION_BODIES, CONVERSATION_DATA } from './conversations.js';
import { CREATED, IDS } from './shared.js';
import { WORKSPACE_BODIES, WORKSPACE_DATA } from './workspace.js';
import { IDENTITY_DATA } from './identity.js';
import { ATTACHMENT_BODIES, ATTACHMENT_DATA } from './attachments.js';

/** What a response's `data` holds, by the schema the document names for it. */
export const DATA_EXAMPLES: Record<string, unknown> = { ...CHANNEL_DATA, ...AGENT_DATA, ...CONVERSATION_DATA, ...WORKSPACE_DATA, ...IDENTITY_DATA, ...ATTACHMENT_DATA };

/** Request bodies by schema; an operation that needs a different body than its schema's example is listed in ROUTE_BODIES. */
export const BODY_EXAMPLES: Record<string, unknown> = { ...CHANNEL_BODIES, ...AGENT_BODIES, ...CONVERSATION_BODIES, ...WORKSPACE_BODIES, ...ATTACHMENT_BODIES };

/** Operations whose id travels in the body rather than the path. */
export const ROUTE_BODIES: Record<string, unknown> = {
  'PATCH /v1/deployment-configurations': { id: IDS.deployment, status: 'active' },
  'PATCH /v1/phone-configurations': { id: IDS.phone, friendlyName: 'After-hours line' },
  'PATCH /v1/deployment-channels': { id: IDS.channel, channelName: 'Renamed', recordingEnabled: false },
};

export const metadataExample = { timestamp: CREATED + 1, version: API_VERSION };

/** A success envelope around `data`; a list's `data` is one page of it. */
export function successExample(data: unknown, list: boolean): unknown {
  const page = { data: [data], meta: { page: 1, pageSize: 20, totalCount: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: false } };
  return { success: true, data: list ? page : data, metadata: metadataExample };
}

const CODE_OF_STATUS: Record<number, string> = {
  400: ErrorCode.VALIDATION_ERROR,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.VALIDATION_ERROR,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.DATABASE_UNAVAILABLE,
};

/** The first sentence of a response's description, as the message a refusal of that kind carries. */
const sentence = (description: string) => description.replace(/`/g, '').split(/[.;:](\s|$)/)[0]!.trim();

/** The error body the server sends for `status`, made by the same function that sends it. */
export function errorExample(status: number, description: string): unknown {
  const code = (CODE_OF_STATUS[status] ?? ErrorCode.INTERNAL) as ErrorCode;
  const error =
    status === 400
      ? new ApiError(400, ErrorCode.VALIDATION_ERROR, 'name: Required', [{ field: 'name', message: 'Required' }])
      : new ApiError(status, code, sentence(description));
  return { ...errorBody(error), timestamp: CREATED + 1 };
}
