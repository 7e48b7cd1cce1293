import type { ConnectionContext } from '../adapter.js';
import { accessTokenOf, authQuery, graphError, graphFetch } from './graph.js';
import { graphRoot } from './settings.js';

export interface MetaPage {
  id: string;
  name: string;
  category: string | null;
}

/** Safety stop for a misbehaving `paging.next`: 50 pages of 100 accounts. */
const MAX_PAGES = 50;

/**
 * The Facebook pages the connection's access token can manage:
 * `GET {apiBaseUrl}/vN/me/accounts?fields=id,name,category&access_token=…`, following the
 * `after` cursor while Graph says there is a next page. Failures throw the same DeliveryError
 * a send would (status, retryable, Graph's message), without the token.
 */
export async function listPages(connection: ConnectionContext, fetchImpl: typeof fetch = fetch): Promise<MetaPage[]> {
  const what = 'Graph API me/accounts';
  const token = accessTokenOf(connection, what);
  const pages: MetaPage[] = [];
  let after: string | undefined;
  for (let round = 0; round < MAX_PAGES; round++) {
    const query = authQuery(connection, token, true);
    query.set('fields', 'id,name,category');
    query.set('limit', '100');
    if (after) query.set('after', after);
    const response = await graphFetch(fetchImpl, `${graphRoot(connection)}/me/accounts?${query.toString()}`, { method: 'GET' }, what);
    if (!response.ok) throw await graphError(response, what);
    const body = (await response.json().catch(() => ({}))) as {
      data?: { id?: unknown; name?: unknown; category?: unknown }[];
      paging?: { next?: unknown; cursors?: { after?: unknown } };
    };
    for (const page of Array.isArray(body.data) ? body.data : []) {
      if (typeof page?.id !== 'string' && typeof page?.id !== 'number') continue;
      pages.push({
        id: String(page.id),
        name: typeof page.name === 'string' ? page.name : '',
        category: typeof page.category === 'string' ? page.category : null,
      });
    }
    const next = body.paging?.cursors?.after;
    if (typeof body.paging?.next !== 'string' || typeof next !== 'string' || next === after) break;
    after = next;
  }
  return pages;
}
