/** Channel types of deployment channels. Wire values are lower-case. */
export enum DeploymentType {
  CALLS = 'calls',
  SMS = 'sms',
  WEB = 'web',
  MOBILE = 'mobile-app',
  WHATSAPP = 'whatsapp',
  FACEBOOK = 'facebook',
  INSTAGRAM = 'instagram',
  LINE = 'line',
  WECHAT = 'wechat',
  WECOM = 'wecom',
  TELEGRAM = 'telegram',
  EMAIL = 'email',
  WEBHOOK = 'webhook',
  VOICE_GATEWAY = 'voice-gateway',
}

/** Channel types whose traffic comes through a provider connection. */
export const PROVIDER_CHANNEL_TYPES = [
  DeploymentType.WHATSAPP,
  DeploymentType.FACEBOOK,
  DeploymentType.INSTAGRAM,
  DeploymentType.LINE,
  DeploymentType.WECHAT,
  DeploymentType.WECOM,
  DeploymentType.TELEGRAM,
  DeploymentType.EMAIL,
  DeploymentType.WEBHOOK,
  DeploymentType.VOICE_GATEWAY,
] as const;

/** Lifecycle of a deployment configuration: pending → active ⇄ paused → archived. */
export enum DeploymentStatus {
  PENDING = 'pending',
  ACTIVE = 'active',
  PAUSED = 'paused',
  ARCHIVED = 'archived',
}

export enum CommunicationType {
  TEXT = 'text',
  VOICE = 'voice',
  UNIFIED = 'unified',
}

export enum WidgetPosition {
  LEFT = 'left',
  RIGHT = 'right',
}

export enum MobilePlatform {
  IOS = 'ios',
  ANDROID = 'android',
}

export enum PhoneProvider {
  TWILIO = 'twilio',
  SIGNAL_WIRE = 'signal-wire',
  TELNYX = 'telnyx',
  VONAGE = 'vonage',
  PLIVO = 'plivo',
}

export enum AgentBackendType {
  ECHO = 'echo',
  SCRIPTED = 'scripted',
  WEBHOOK = 'webhook',
  OPENAI_COMPATIBLE = 'openai-compatible',
}

export const DEPLOYMENT_TYPES = Object.values(DeploymentType) as [DeploymentType, ...DeploymentType[]];
export const DEPLOYMENT_STATUSES = Object.values(DeploymentStatus) as [DeploymentStatus, ...DeploymentStatus[]];

/** Status transitions a deployment configuration may make; staying in the same state is always allowed. */
export const DEPLOYMENT_STATUS_TRANSITIONS: Readonly<Record<DeploymentStatus, readonly DeploymentStatus[]>> = {
  [DeploymentStatus.PENDING]: [DeploymentStatus.ACTIVE],
  [DeploymentStatus.ACTIVE]: [DeploymentStatus.PAUSED],
  [DeploymentStatus.PAUSED]: [DeploymentStatus.ACTIVE, DeploymentStatus.ARCHIVED],
  [DeploymentStatus.ARCHIVED]: [],
};

export function canTransition(from: DeploymentStatus, to: DeploymentStatus): boolean {
  return from === to || DEPLOYMENT_STATUS_TRANSITIONS[from].includes(to);
}

/**
 * Parses a deployment type case-insensitively. `MOBILE` (the SDK enum key) is accepted
 * as an alias of `mobile-app`.
 */
export function parseDeploymentType(value: string): DeploymentType | undefined {
  const lower = value.toLowerCase();
  if (lower === 'mobile') return DeploymentType.MOBILE;
  return DEPLOYMENT_TYPES.find((t) => t === lower);
}
