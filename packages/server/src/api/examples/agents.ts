import { IDS, PUBLIC_URL, WEB_TOKEN, later } from './shared.js';
import { PRECHAT_FORM, PRECHAT_FORM_REQUEST } from './prechat.js';

const theme = { primaryColor: '#0b5fff', position: 'right', headerTitle: 'Ask us' };
const webDeployment = {
  id: IDS.webDeployment,
  agentId: IDS.agent,
  deploymentChannelId: IDS.channel,
  deploymentConfigurationId: IDS.deployment,
  name: 'Website',
  tokenPrefix: WEB_TOKEN.slice(0, 10),
  allowedOrigins: ['https://www.example.com'],
  theme,
  preChatForm: PRECHAT_FORM,
  lastUsedAt: null,
  revokedAt: null,
  createdAt: later(38),
  updatedAt: later(38),
};
const snippet = (token: string) =>
  `<script src="${PUBLIC_URL}/embed/v1.js"></script>\n<script>\n  ConvoshipQueue.push(['init', {\n    agentId: '${IDS.agent}',\n    token: '${token}',\n    channel: 'web',\n    apiUrl: '${PUBLIC_URL}'\n  }]);\n</script>`;

/** What `data` holds, by response schema: agents, their configurations and deployments. */
export const AGENT_DATA: Record<string, unknown> = {
  Agent: {
    id: IDS.agent,
    name: 'Concierge',
    instructions: 'Be brief.',
    introductionMessage: 'Hi! How can I help?',
    backend: { type: 'echo' },
    createdAt: later(19),
    updatedAt: later(19),
  },
  AgentConfiguration: {
    id: IDS.agentConfiguration,
    name: 'Support assistant',
    modelId: null,
    defaultFunctionState: 'multi_mode',
    usesWiilSupportModel: true,
    instructionConfigurationId: IDS.instruction,
    assistantType: 'general',
    call_transfer_config: [],
    backend: { type: 'echo' },
    createdAt: later(22),
    updatedAt: later(22),
  },
  InstructionConfiguration: {
    id: IDS.instruction,
    instructionName: 'Support',
    role: 'Order support',
    introductionMessage: 'Hello! Ask me about your order.',
    instructions: 'Answer questions about orders.',
    guardrails: 'Never promise refunds.',
    supportedServices: [],
    isTemplate: false,
    isPrimary: false,
    knowledgeSourceIds: [],
    createdAt: later(24),
    updatedAt: later(24),
  },
  WebDeployment: webDeployment,
  IssuedWebDeployment: { ...webDeployment, token: WEB_TOKEN, embedSnippet: snippet(WEB_TOKEN) },
  EmbedSnippet: {
    snippet: snippet(`${WEB_TOKEN.slice(0, 10)}… (the token shown when it was issued)`),
    loaderUrl: `${PUBLIC_URL}/embed/v1.js`,
    apiUrl: PUBLIC_URL,
  },
};

/** Request bodies, by schema. */
export const AGENT_BODIES: Record<string, unknown> = {
  AgentRequest: { name: 'Concierge', instructions: 'Be brief.', introductionMessage: 'Hi! How can I help?' },
  AgentUpdateRequest: { instructions: 'Be brief and friendly.', backend: { type: 'echo' } },
  AgentConfigurationRequest: { name: 'Support assistant', assistantType: 'web', defaultFunctionState: 'text' },
  AgentConfigurationUpdateRequest: { id: IDS.agentConfiguration, name: 'Support assistant (EU)' },
  InstructionConfigurationRequest: { instructionName: 'Support', instructions: 'Answer questions about orders.', guardrails: 'Never promise refunds.' },
  InstructionConfigurationUpdateRequest: { id: IDS.instruction, instructions: 'Answer questions about orders and returns.' },
  WebDeploymentRequest: {
    name: 'Website',
    allowedOrigins: ['https://www.example.com', 'http://localhost:5500'],
    theme: { primaryColor: '#0b5fff', headerTitle: 'Ask us', position: 'right' },
    preChatForm: PRECHAT_FORM_REQUEST,
  },
  WebDeploymentUpdateRequest: {
    allowedOrigins: ['https://www.example.com', 'https://shop.example.com'],
    theme: { greeting: 'Need a hand?', colorScheme: 'auto', launcherText: 'Chat with us', sound: true, strings: { es: { placeholder: 'Pregúntanos lo que quieras…' } } },
  },
};
