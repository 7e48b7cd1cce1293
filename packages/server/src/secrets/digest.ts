import { hash } from 'node:crypto';

/**
 * SHA-256 (hex) of a value. Enough to store a random token of 256 bits (`cdp_`, `vt_`) by its
 * digest; a credential that may be chosen by a person is stored by `SecretBox.credentialHash`.
 */
export function sha256Hex(value: string): string {
  // The one-shot form: half the cost of a Hash object, and it runs on every widget request.
  return hash('sha256', value, 'hex');
}
