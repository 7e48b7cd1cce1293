/**
 * `['identify', {userId, userHash, name, email, attributes}]` and `['track', event, data]`: sent
 * one after another (each with the visitor token the one before it left), whether or not the chat
 * was opened. The server keeps them on the visitor's contact and creates no conversation.
 */
import { HttpError, type Api } from './api.js';
import { backoff } from './connection.js';
import type { sessionStore } from './storage.js';

export interface Identified {
  visitorToken: string;
  verified?: boolean;
  sessionId?: string | null;
}

export function visitorCalls(api: Api, store: ReturnType<typeof sessionStore>, alive: () => boolean, linked: (answer: Identified) => void) {
  let chain: Promise<void> = Promise.resolve();

  const run = (path: 'identify' | 'track', body: object) =>
    (chain = chain.then(async () => {
      for (let attempt = 0; attempt < 4 && alive(); attempt++) {
        try {
          const stored = store.read();
          const answer = await api.visitor(path, body, stored ? stored.visitorToken : '');
          if (!alive()) return;
          if (path === 'identify') {
            if (answer.verified === false && (body as { userId?: unknown }).userId !== undefined) console.warn('[switchboard] identify: userId not linked (the deployment has no identity secret)');
            linked(answer);
          } else if (!stored || stored.visitorToken !== answer.visitorToken) {
            store.write({ visitorToken: answer.visitorToken });
          }
          return;
        } catch (error) {
          if (error instanceof HttpError && error.status < 500 && error.status !== 408 && error.status !== 429) {
            return console.error(`[switchboard] ${path} refused: ${error.message}`);
          }
          await new Promise((resolve) => setTimeout(resolve, error instanceof HttpError && error.retryAfter ? error.retryAfter * 1000 : backoff(attempt)));
        }
      }
    }));

  return {
    // The server checks every field and says what is wrong (logged by run).
    identify: (details: unknown) => run('identify', Object(details)),
    track: (event: unknown, data?: unknown) => run('track', { event, data }),
    /** Resolves once every identify and track sent so far has been answered. */
    idle: () => chain,
  };
}
