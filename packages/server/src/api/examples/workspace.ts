import { CREATED, IDS, PUBLIC_URL, later } from './shared.js';

const workspace = { id: IDS.workspace, name: 'Acme', status: 'active', createdAt: CREATED - 60_000, updatedAt: CREATED - 60_000 };
const apiKey = {
  id: IDS.apiKey,
  workspaceId: IDS.workspace,
  name: 'CI',
  prefix: 'sb_live_7Hq2',
  scope: 'read',
  instanceAdmin: false,
  createdAt: later(700),
  lastUsedAt: null,
  revokedAt: null,
};
const member = {
  id: IDS.member,
  email: 'lin@example.com',
  name: 'Lin',
  role: 'admin',
  status: 'active',
  createdAt: later(614),
  updatedAt: later(645),
  lastSignInAt: later(644),
};
const invitation = { url: `${PUBLIC_URL}/console/invite/SLn-yyfCGLGBqWhB7qTYPM9_GbTKHKcrQQfcIio1mO4`, expiresAt: later(604_800_000) };
const webhook = {
  id: IDS.webhook,
  url: 'https://hooks.example.com/switchboard',
  events: ['message.created'],
  description: null,
  active: true,
  secretMask: 'whsec_…hsY=',
  secretFingerprint: 'd336c9f8a44ef366',
  createdAt: later(611),
  updatedAt: later(611),
};
const connectionId = IDS.connection;

/** What `data` holds, by response schema: secrets, connections, workspaces, keys, webhooks and members. */
export const WORKSPACE_DATA: Record<string, unknown> = {
  Secret: { id: IDS.secret, name: 'twilio-auth-token', mask: 'ab…789', fingerprint: 'b18f3da5fea4dea7', createdAt: later(585), updatedAt: later(585) },
  Connection: {
    id: connectionId,
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: 'AC0123456789abcdef0123456789abcdef' },
    credentials: { authToken: { secretId: IDS.secret, mask: 'ab…789', fingerprint: 'b18f3da5fea4dea7' } },
    apiBaseUrl: 'https://api.twilio.com',
    inboundUrl: `${PUBLIC_URL}/v1/public/channels/twilio/${connectionId}`,
    inboundSecret: 'q7Vh2kP9sXw4Lm1Zr8Tn3Yc6Bd0Fg5Je',
    setup: `In the Twilio console, set the number's messaging webhook to ${PUBLIC_URL}/v1/public/channels/twilio/${connectionId} (HTTP POST).`,
    createdAt: later(590),
    updatedAt: later(590),
  },
  Workspace: workspace,
  CreatedWorkspace: { ...workspace, apiKey: { ...apiKey, name: 'default', scope: 'admin', key: 'sb_live_7Hq2Xk0pLw9sT4mQa8Zr1Nc5Vb3Jd6Fy' } },
  ApiKey: apiKey,
  IssuedApiKey: { ...apiKey, key: 'sb_live_7Hq2Xk0pLw9sT4mQa8Zr1Nc5Vb3Jd6Fy' },
  WebhookSubscription: webhook,
  IssuedWebhookSubscription: { ...webhook, secret: 'whsec_m4f183n6jGcw39wOPHvBnIRA+fxYqZd6mQIuw+1NhsY=' },
  WebhookTestResult: { eventId: IDS.webhookEvent, deliveryId: IDS.delivery },
  Member: member,
  InvitedMember: { member: { ...member, status: 'invited', lastSignInAt: null, updatedAt: member.createdAt }, invitation },
  MemberInvitation: invitation,
  InvitationInfo: { email: 'lin@example.com', name: 'Lin', role: 'admin', workspaceName: 'Acme', expiresAt: invitation.expiresAt },
  Session: { member, workspace: { id: IDS.workspace, name: 'Acme' }, csrfToken: '1xSDxbHz-CNoHyLe1Y3VME5q5nNoCNVeHV2Q7zOXV6gucOk5UlwE', expiresAt: later(43_200_000) },
};

/** Request bodies, by schema. */
export const WORKSPACE_BODIES: Record<string, unknown> = {
  SecretRequest: { name: 'twilio-auth-token', value: '<Auth Token>' },
  SecretUpdateRequest: { value: '<new Auth Token>' },
  ConnectionRequest: {
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: 'AC0123456789abcdef0123456789abcdef' },
    credentials: { authToken: IDS.secret },
  },
  ConnectionUpdateRequest: { name: 'Twilio (production)' },
  WorkspaceRequest: { name: 'Globex' },
  WorkspaceUpdateRequest: { status: 'suspended' },
  ApiKeyRequest: { name: 'CI', scope: 'read' },
  WebhookSubscriptionRequest: { url: 'https://hooks.example.com/switchboard', events: ['message.created', 'handoff.requested'], description: 'CRM sync' },
  WebhookSubscriptionUpdateRequest: { active: false },
  MemberRequest: { email: 'lin@example.com', name: 'Lin', role: 'admin' },
  MemberUpdateRequest: { role: 'agent' },
  InvitationAcceptRequest: { password: 'a long enough passphrase', name: 'Lin' },
  SignInRequest: { email: 'lin@example.com', password: 'a long enough passphrase' },
  MeUpdateRequest: { name: 'Lin Park' },
  PasswordChangeRequest: { currentPassword: 'a long enough passphrase', newPassword: 'another long passphrase' },
};
