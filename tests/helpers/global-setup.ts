import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { POSTGRES_ADMIN_URL, REDIS_URL, type AvailableServices } from './services.js';

async function postgresAnswers(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redisAnswers(): Promise<string | undefined> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(2000, () => done('no answer within 2 s'));
    socket.once('error', (error) => done(error.message));
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH') ? undefined : `answered ${data.toString().trim()}`));
  });
}

function chromiumFound(): boolean {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].some((path) => path && existsSync(path));
}

export default async function setup(project: TestProject): Promise<void> {
  const postgresProblem = await postgresAnswers();
  const redisProblem = await redisAnswers();
  const services: AvailableServices = { postgres: !postgresProblem, redis: !redisProblem, chromium: chromiumFound() };
  const missing: string[] = [];
  if (postgresProblem) {
    missing.push(
      `PostgreSQL at ${POSTGRES_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} (${postgresProblem}): the PostgreSQL half of every engine test is skipped. Start PostgreSQL or set SWITCHBOARD_TEST_POSTGRES_URL.`,
    );
  }
  if (redisProblem) missing.push(`Redis at ${REDIS_URL} (${redisProblem}): the scale-out and Redis tests are skipped. Start Redis or set SWITCHBOARD_TEST_REDIS_URL.`);
  if (!services.chromium) missing.push('Chromium (not at /usr/bin/chromium): the browser tests are skipped. apt-get install chromium, or set CHROMIUM_PATH.');
  if (missing.length > 0 && process.env.CI === 'true') {
    throw new Error(`CI=true and a service the suite needs is missing:\n- ${missing.join('\n- ')}`);
  }
  for (const line of missing) console.warn(`skipping: ${line}`);
  project.provide('services', services);
}
