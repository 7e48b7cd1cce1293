/** Request bodies of the most used operations, as the README's tour sends them. */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  'POST /v1/deployment-channels': {
    channelIdentifier: 'https://example.com',
    deploymentType: 'web',
    channelName: 'Website chat',
    configuration: { widgetConfiguration: { customTheme: { primaryColor: '#007bff' } } },
  },
  'PATCH /v1/deployment-channels': { id: 'chan_3kq9w2', channelName: 'Renamed', recordingEnabled: false },
  'POST /v1/phone-configurations': { phoneNumber: '+12025551234', provider: 'twilio', friendlyName: 'Support line' },
  'POST /v1/agents': { name: 'Concierge', instructions: 'Be brief.', introductionMessage: 'Hi! How can I help?' },
  'POST /v1/deployment-configurations': { deploymentChannelId: 'chan_3kq9w2', agentId: 'agent_7hd2xa', deploymentName: 'Website concierge' },
  'PATCH /v1/deployment-configurations/{id}': { status: 'active' },
  'POST /v1/deployment-configurations/setup': {
    agentId: 'agent_7hd2xa',
    status: 'active',
    channel: { channelIdentifier: 'https://shop.example.com', deploymentType: 'web' },
  },
  'POST /v1/agents/{agentId}/deployments': {
    name: 'Website',
    allowedOrigins: ['https://www.example.com', 'http://localhost:5500'],
    theme: { primaryColor: '#0b5fff', headerTitle: 'Ask us', position: 'right' },
  },
  'POST /v1/secrets': { name: 'twilio-auth-token', value: '<Auth Token>' },
  'POST /v1/connections': { provider: 'twilio', name: 'Twilio', settings: { accountSid: 'AC0123456789abcdef' }, credentials: { authToken: 'sec_4mz8rt' } },
};
