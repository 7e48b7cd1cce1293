import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, type Page } from '../api.js';

export interface PagedList<T> {
  data: Page<T> | null;
  error: string | null;
  loading: boolean;
  page: number;
  pageSize: number;
  setPage: (page: number) => void;
  setPageSize: (size: number) => void;
  reload: () => void;
}

/**
 * Loads one page at a time. While a new page or a reload is on its way the last data stays on
 * screen (the list shows "Updating…"); `key` changes (a filter) start again from page 1.
 */
export function usePagedList<T>(load: (page: number, pageSize: number, signal: AbortSignal) => Promise<Page<T>>, key = ''): PagedList<T> {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const lastKey = useRef(key);

  useEffect(() => {
    let current = page;
    if (lastKey.current !== key) {
      lastKey.current = key;
      if (page !== 1) {
        setPage(1);
        return;
      }
      current = 1;
    }
    const controller = new AbortController();
    setLoading(true);
    load(current, pageSize, controller.signal).then(
      (result) => {
        setData(result);
        setError(null);
        setLoading(false);
        if (result.meta.totalPages > 0 && current > result.meta.totalPages) setPage(result.meta.totalPages);
      },
      (failure) => {
        if ((failure as Error).name === 'AbortError') return;
        setError(errorMessage(failure));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [page, pageSize, key, tick]);

  return {
    data,
    error,
    loading,
    page,
    pageSize,
    setPage,
    setPageSize: (size) => {
      setPageSize(size);
      setPage(1);
    },
    reload: () => setTick((n) => n + 1),
  };
}

export interface Column<T> {
  label: string;
  render: (row: T) => ComponentChildren;
  class?: string;
}

export function ListView<T>(props: {
  list: PagedList<T>;
  caption: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: { title: string; body?: ComponentChildren; action?: ComponentChildren };
}) {
  const { list } = props;
  const rows = list.data ? list.data.data : [];
  if (!list.data && list.error) {
    return (
      <div role="alert" class="notice error">
        <p>{props.caption} could not be loaded: {list.error}</p>
        <button type="button" onClick={list.reload}>
          Retry
        </button>
      </div>
    );
  }
  if (!list.data) {
    return (
      <div class="skeleton" aria-busy="true" aria-label={`Loading ${props.caption.toLowerCase()}`}>
        {[0, 1, 2, 3].map((n) => (
          <div key={n} class="skeleton-row" />
        ))}
      </div>
    );
  }
  const meta = list.data.meta;
  return (
    <div class="list" aria-busy={list.loading}>
      <div class="list-status" role="status">
        {list.loading ? <span class="updating">Updating…</span> : null}
      </div>
      {list.error && (
        <div role="alert" class="notice error">
          <p>Showing the last data received; the newest could not be loaded: {list.error}</p>
          <button type="button" onClick={list.reload}>
            Retry
          </button>
        </div>
      )}
      {rows.length === 0 ? (
        <div class="empty">
          <h2>{props.empty.title}</h2>
          {props.empty.body && <p>{props.empty.body}</p>}
          {props.empty.action}
        </div>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{props.caption}</caption>
            <thead>
              <tr>
                {props.columns.map((column) => (
                  <th scope="col" class={column.class}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={props.rowKey(row)}>
                  {props.columns.map((column) => (
                    <td class={column.class}>{column.render(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination list={list} totalCount={meta.totalCount} totalPages={meta.totalPages} />
    </div>
  );
}

export function Pagination(props: { list: PagedList<unknown>; totalCount: number; totalPages: number }) {
  const { list } = props;
  const pages = Math.max(1, props.totalPages);
  return (
    <nav class="pagination" aria-label="Pages">
      <button type="button" class="secondary" disabled={list.page <= 1} onClick={() => list.setPage(list.page - 1)}>
        Previous
      </button>
      <span>
        Page {Math.min(list.page, pages)} of {pages} · {props.totalCount} in all
      </span>
      <button type="button" class="secondary" disabled={list.page >= pages} onClick={() => list.setPage(list.page + 1)}>
        Next
      </button>
      <label class="page-size">
        Per page{' '}
        <select value={String(list.pageSize)} onChange={(event) => list.setPageSize(Number(event.currentTarget.value))}>
          {[10, 20, 50, 100].map((size) => (
            <option value={String(size)}>{size}</option>
          ))}
        </select>
      </label>
    </nav>
  );
}
