/**
 * The `userHash` a site gives the widget's `identify` call: the hex HMAC-SHA256 of the user id
 * under the web deployment's identity secret. Compute it on your server (the secret must never
 * reach a browser) and print it into the page beside the user id. Uses the Web Crypto API, so
 * it runs on Node 20+, Deno, Bun and edge runtimes alike.
 *
 * ```ts
 * const hash = await userHash(process.env.SWITCHBOARD_IDENTITY_SECRET!, user.id);
 * // <script>SwitchboardQueue.push(['identify', { userId: '…', userHash: '…' }])</script>
 * ```
 */
export async function userHash(identitySecret: string, userId: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('userHash needs the Web Crypto API (globalThis.crypto.subtle): Node 20+ or a browser-like runtime');
  const encoder = new TextEncoder();
  const key = await subtle.importKey('raw', encoder.encode(identitySecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(userId)));
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
