import type { AgentBackendType } from '@switchboard/core';
import type { AgentBackendHandler, BackendFor } from './backend.js';

/** Repeats the contact's message as is. */
export const echoBackend: AgentBackendHandler<BackendFor<AgentBackendType.ECHO>> = {
  async respond({ input }) {
    return { kind: 'text', text: input.text };
  },
};
