/**
 * Which outside services the suite can use: PostgreSQL, Redis and Chromium. Probed once before
 * any test file runs (see global-setup.ts) and handed to every file through vitest's `provide`.
 * A missing service skips the tests that need it, with one line saying so; under CI=true a
 * missing service fails the run instead.
 */
import { inject } from 'vitest';

export interface AvailableServices {
  postgres: boolean;
  redis: boolean;
  chromium: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: AvailableServices;
  }
}

export const POSTGRES_ADMIN_URL = process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What the global setup found; everything when read outside vitest's runner. */
export function availableServices(): AvailableServices {
  try {
    return inject('services') ?? { postgres: true, redis: true, chromium: true };
  } catch {
    return { postgres: true, redis: true, chromium: true };
  }
}
