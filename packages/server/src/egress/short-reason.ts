/**
 * What is kept of a failing target's answer: the message field of a JSON error body, cut short.
 * Raw bodies are never kept or shown: the target may be an internal service, and its answer is
 * not the operator's to read back through delivery or agent errors.
 */
const MESSAGE_PATHS: readonly (readonly string[])[] = [
  ['error', 'message'],
  ['message'],
  ['error_description'],
  ['description'],
  ['errmsg'],
  ['detail'],
  ['title'],
  ['error'],
];

export const MAX_REASON_LENGTH = 200;

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A provider's error code (Twilio's 21610, Graph's 190…), when the body carries a short one. */
function errorCode(parsed: unknown): string | undefined {
  for (const path of [['code'], ['error', 'code'], ['error_code'], ['errcode']]) {
    const found = at(parsed, path);
    if (typeof found === 'number' && Number.isFinite(found)) return String(found);
    if (typeof found === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(found)) return found;
  }
  return undefined;
}

/**
 * The JSON error message in `body` (with the error code when there is one), printable and at
 * most 200 characters; '' when there is none.
 */
export function shortReason(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  const code = errorCode(parsed);
  for (const path of MESSAGE_PATHS) {
    const found = at(parsed, path);
    if (typeof found === 'string' && found.trim() !== '') {
      const clean = found.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
      const message = clean.length > MAX_REASON_LENGTH ? `${clean.slice(0, MAX_REASON_LENGTH)}…` : clean;
      return code === undefined ? message : `${message} (code ${code})`;
    }
  }
  return code === undefined ? '' : `code ${code}`;
}
