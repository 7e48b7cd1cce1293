import { randomBase62 } from '../store/ids.js';
import { sha256Hex } from '../secrets/digest.js';

export { sha256Hex };

export const DEPLOYMENT_TOKEN_PREFIX = 'cdp_';
export const VISITOR_TOKEN_PREFIX = 'vt_';
/** 43 base62 characters carry 256 bits: at least 32 random bytes' worth. */
const TOKEN_RANDOM_LENGTH = 43;
const SHOWN_PREFIX_LENGTH = DEPLOYMENT_TOKEN_PREFIX.length + 6;

export interface IssuedToken {
  token: string;
  hash: string;
  prefix: string;
}

export function issueDeploymentToken(): IssuedToken {
  const token = DEPLOYMENT_TOKEN_PREFIX + randomBase62(TOKEN_RANDOM_LENGTH);
  return { token, hash: sha256Hex(token), prefix: token.slice(0, SHOWN_PREFIX_LENGTH) };
}

export function issueVisitorToken(): { token: string; hash: string } {
  const token = VISITOR_TOKEN_PREFIX + randomBase62(TOKEN_RANDOM_LENGTH);
  return { token, hash: sha256Hex(token) };
}
