/**
 * What the agent-backend tests share: a test app on one engine, the fake backend server the
 * agents call, and a logger recording each test's entries afresh. Call inside a describe: it
 * registers the suite's hooks (before the test file's own).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Engine } from '@switchboard/server';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { recordingLogger, startFakeServer, type FakeServer } from './fake-server.js';

export interface AgentBackends {
  readonly t: TestApp;
  readonly fake: FakeServer;
  /** Recorded afresh before each test. */
  readonly logger: ReturnType<typeof recordingLogger>;
}

export function useAgentBackends(engine: Engine): AgentBackends {
  let t: TestApp;
  let fake: FakeServer;
  let logger: ReturnType<typeof recordingLogger>;

  beforeAll(async () => {
    t = await createTestApp(engine);
    fake = await startFakeServer();
  });
  afterAll(async () => {
    await fake.close();
    await t.close();
  });
  beforeEach(() => {
    logger = recordingLogger();
  });

  return {
    get t() {
      return t;
    },
    get fake() {
      return fake;
    },
    get logger() {
      return logger;
    },
  };
}
