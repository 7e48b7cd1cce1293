/** Each provider's settings and credentials, as the server's adapters and helpdesk connectors define them. */
export interface SettingSpec {
  name: string;
  label: string;
  hint?: string;
  kind?: 'text' | 'number' | 'boolean' | 'url';
  required?: boolean;
}
export interface CredentialSpec {
  name: string;
  required: boolean;
  hint: string;
}
export interface ProviderSpec {
  id: string;
  label: string;
  summary: string;
  steps: string[];
  settings: SettingSpec[];
  credentials: CredentialSpec[];
}

export const PROVIDERS: ProviderSpec[] = [
  {
    id: 'twilio',
    label: 'Twilio',
    summary: 'SMS, voice calls and WhatsApp through a Twilio account.',
    steps: ['Copy the Account SID and Auth Token from Twilio Console → Account info.', 'After saving, paste the inbound URL as the number\'s "A message comes in" webhook (HTTP POST).'],
    settings: [{ name: 'accountSid', label: 'Account SID', hint: 'AC followed by 32 hex characters', required: true }],
    credentials: [{ name: 'authToken', required: true, hint: 'Twilio signs every webhook with it and replies are sent with it.' }],
  },
  {
    id: 'meta',
    label: 'Meta (WhatsApp, Messenger, Instagram)',
    summary: 'WhatsApp Cloud API, Messenger pages and Instagram messaging.',
    steps: ['Meta app dashboard → App settings → Basic: copy the App secret.', 'Create a system-user or page access token.', 'After saving, set the inbound URL as callback URL and the inbound secret as verify token.'],
    settings: [],
    credentials: [
      { name: 'appSecret', required: true, hint: 'Checks X-Hub-Signature-256 on every webhook.' },
      { name: 'accessToken', required: true, hint: 'Sends replies (whatsapp_business_messaging or pages_messaging).' },
    ],
  },
  {
    id: 'line',
    label: 'LINE',
    summary: 'A LINE Messaging API channel.',
    steps: ['LINE Developers Console → your channel → Basic settings: Channel secret.', 'Messaging API tab: issue a Channel access token.', 'After saving, paste the inbound URL as the Webhook URL and turn "Use webhook" on.'],
    settings: [{ name: 'botUserId', label: 'Bot user ID', hint: 'U followed by 32 hex digits (optional)' }],
    credentials: [
      { name: 'channelSecret', required: true, hint: 'Signs every webhook.' },
      { name: 'channelAccessToken', required: true, hint: 'Authorizes replies and pushes.' },
    ],
  },
  {
    id: 'wechat',
    label: 'WeChat Official Account',
    summary: 'A WeChat Official Account in plain or safe mode.',
    steps: ['Settings and Development → Basic Configuration: AppID and AppSecret.', 'After saving, enter the inbound URL as server URL with the same Token and EncodingAESKey.'],
    settings: [
      { name: 'appId', label: 'AppID', hint: 'wx followed by 16 characters', required: true },
      { name: 'mode', label: 'Mode', hint: 'plain or safe (default safe)' },
    ],
    credentials: [
      { name: 'appSecret', required: true, hint: 'Fetches access tokens for replies.' },
      { name: 'token', required: false, hint: "Leave empty to use the connection's inbound secret as the Token." },
      { name: 'encodingAESKey', required: false, hint: '43 characters; required in safe mode.' },
    ],
  },
  {
    id: 'wecom',
    label: 'WeCom',
    summary: 'A WeCom (企业微信) self-built app.',
    steps: ['My Company → Company Info: CorpID.', 'App Management → your app: Secret, and Receive Messages → API settings.', 'After saving, paste the inbound URL there.'],
    settings: [{ name: 'corpId', label: 'CorpID', hint: 'ww or wx followed by 16 characters', required: true }],
    credentials: [
      { name: 'corpSecret', required: true, hint: "The app's Secret." },
      { name: 'token', required: false, hint: "Leave empty to use the connection's inbound secret." },
      { name: 'encodingAESKey', required: true, hint: '43 characters.' },
    ],
  },
  {
    id: 'telegram',
    label: 'Telegram',
    summary: 'A Telegram bot.',
    steps: ['Create a bot with @BotFather and copy its token.', 'Switchboard registers the webhook with the inbound URL and secret.'],
    settings: [],
    credentials: [{ name: 'botToken', required: true, hint: '123456789:AA… from @BotFather.' }],
  },
  {
    id: 'email',
    label: 'Email (SMTP, Mailgun…)',
    summary: 'Inbound mail through Mailgun routes or the intake endpoint; replies over SMTP.',
    steps: ['Enter your SMTP server.', 'For Mailgun, add a route forwarding to the inbound URL and paste the webhook signing key.'],
    settings: [
      { name: 'smtpHost', label: 'SMTP host', required: true },
      { name: 'smtpPort', label: 'SMTP port', kind: 'number', hint: 'Default 587' },
      { name: 'smtpSecure', label: 'TLS from the first byte (port 465)', kind: 'boolean' },
      { name: 'smtpUser', label: 'SMTP user' },
    ],
    credentials: [
      { name: 'smtpPassword', required: false, hint: 'Password of the SMTP user.' },
      { name: 'mailgunSigningKey', required: false, hint: 'Mailgun HTTP webhook signing key.' },
    ],
  },
  {
    id: 'webhook',
    label: 'Custom webhook',
    summary: 'Your own system: messages POSTed in, replies POSTed out (Standard Webhooks).',
    steps: ['Point your system at the inbound URL, signing with the inbound secret.', 'Give your receiver the outbound secret.'],
    settings: [{ name: 'outboundUrl', label: 'Outbound URL', kind: 'url', required: true, hint: 'Where replies are POSTed.' }],
    credentials: [{ name: 'outboundSecret', required: true, hint: 'whsec_… secret replies are signed with.' }],
  },
  {
    id: 'voice-gateway',
    label: 'Voice gateway',
    summary: 'A speech gateway that sends transcripts and speaks replies.',
    steps: ['Configure the gateway to POST transcripts to the inbound URL with the inbound secret.'],
    settings: [{ name: 'callbackUrl', label: 'Callback URL', kind: 'url', required: true, hint: 'Where replies are POSTed to be spoken.' }],
    credentials: [],
  },
  {
    id: 'zendesk',
    label: 'Zendesk',
    summary: 'Hand conversations to Zendesk (tickets or Sunshine Conversations).',
    steps: ['Ticket mode: an API token and the agent email.', 'Sunshine mode: a Conversations API key and app id.', 'Point the Zendesk webhook at the inbound URL.'],
    settings: [
      { name: 'mode', label: 'Mode', hint: 'ticket or sunshine' },
      { name: 'subdomain', label: 'Subdomain', hint: 'yourcompany in yourcompany.zendesk.com' },
      { name: 'email', label: 'Agent email' },
      { name: 'appId', label: 'Sunshine app id' },
    ],
    credentials: [
      { name: 'apiToken', required: false, hint: 'Ticket mode API token.' },
      { name: 'keyId', required: false, hint: 'Sunshine mode key id.' },
      { name: 'keySecret', required: false, hint: 'Sunshine mode key secret.' },
      { name: 'webhookSecret', required: false, hint: "Used instead of the inbound secret when set." },
    ],
  },
  {
    id: 'servicenow',
    label: 'ServiceNow',
    summary: 'Hand conversations to ServiceNow incidents or live agents.',
    steps: ['Create an integration user.', 'Point the provider channel at the inbound URL.'],
    settings: [
      { name: 'mode', label: 'Mode', hint: 'incident or live-agent' },
      { name: 'instance', label: 'Instance', hint: 'acme for acme.service-now.com', required: true },
      { name: 'username', label: 'Username', required: true },
    ],
    credentials: [
      { name: 'password', required: true, hint: "The integration user's password." },
      { name: 'botToken', required: false, hint: 'Live-agent mode token.' },
    ],
  },
  {
    id: 'genesys',
    label: 'Genesys Cloud',
    summary: 'Hand conversations to Genesys Cloud Open Messaging.',
    steps: ['Create an OAuth client (Client Credentials).', 'Create an Open Messaging integration whose webhook is the inbound URL.'],
    settings: [
      { name: 'integrationId', label: 'Integration id', hint: 'A UUID', required: true },
      { name: 'loginBaseUrl', label: 'Login base URL', kind: 'url' },
    ],
    credentials: [
      { name: 'clientId', required: true, hint: 'OAuth client id.' },
      { name: 'clientSecret', required: true, hint: 'OAuth client secret.' },
    ],
  },
];
