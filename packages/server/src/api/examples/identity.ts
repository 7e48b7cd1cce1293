import { CREATED, IDS, VISITOR_TOKEN, later } from './shared.js';

const FINGERPRINT = '3f9a0c2b7d1e4a68';

/** Answers of the identity secret and contact event routes, by schema. */
export const IDENTITY_DATA = {
  IssuedIdentitySecret: { identitySecret: 'idsec_Q4m9TzL2vXb7Kd1NwR8sYc3HfJ6pUa0GeV5iOyBn2Wq', enabled: true, createdAt: later(5000), fingerprint: FINGERPRINT },
  IdentitySecretStatus: { enabled: true, createdAt: later(5000), fingerprint: FINGERPRINT },
  ContactEvent: { id: 'cev_Lw3Nq8ZrT5xVb1Ke', contactId: IDS.contact, webDeploymentId: IDS.webDeployment, name: 'viewed pricing', data: { plan: 'pro', seats: 3 }, createdAt: later(9000) },
};

/** The widget runtime's identify and track answers and bodies. */
export const VISITOR_DATA = {
  RuntimeIdentified: { visitorToken: VISITOR_TOKEN, verified: true, sessionId: IDS.conversation },
  RuntimeTracked: { visitorToken: VISITOR_TOKEN, event: { name: 'viewed pricing', data: { plan: 'pro', seats: 3 }, createdAt: CREATED + 9000 } },
};
export const VISITOR_BODIES = {
  RuntimeIdentifyRequest: {
    userId: 'user-1842',
    userHash: '5c1d1a4f3c8e2b9a7d6f0e1c2b3a4958677e6d5c4b3a29180f7e6d5c4b3a2918',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    attributes: { plan: 'pro', seats: 3 },
  },
  RuntimeTrackRequest: { event: 'viewed pricing', data: { plan: 'pro', seats: 3 } },
};
