import type { Template } from './strings.js';

/** The deployment's theme JSON (`widget.theme` in the session answer), every field optional on input. */
export interface Theme {
  primaryColor: string;
  launcherColor: string;
  /** `chat` (the built-in icon) or an https image URL. */
  launcherIcon: string;
  position: 'left' | 'right';
  greeting: string | null;
  avatarUrl: string | null;
  headerTitle: string;
  fontFamily: string;
  /** `auto` follows prefers-color-scheme. */
  colorScheme: 'auto' | 'light' | 'dark';
  /** A label shown beside the launcher's icon. */
  launcherText: string | null;
  /** A short tone for replies that arrive while the chat is closed or the page hidden. */
  sound: boolean;
}

/** Texts by language tag, each replacing a built-in text (`{ es: { placeholder: '…' } }`). */
export type StringOverrides = Record<string, Partial<Record<string, Template>>>;

/** The second element of `['init', options]`. */
export interface InitOptions {
  /** Optional: the token names the deployment. */
  agentId?: string;
  token: string;
  channel?: string;
  apiUrl?: string;
  /** Overrides merged over the deployment's theme. */
  theme?: Partial<Theme> & { strings?: StringOverrides };
  /** Open the panel as soon as the widget is ready. */
  open?: boolean;
  locale?: string;
}

export interface Message {
  id: string;
  sessionId: string;
  role: 'contact' | 'agent' | 'human';
  text: string | null;
  clientMessageId: string | null;
  quickReplies?: string[];
  createdAt: number;
}

/** GET …/config, and the same fields in a session start's answer. */
export interface WidgetConfig {
  agent?: { id: string; name: string } | null;
  greeting?: string | null;
  /** `locale`, `dir` and `strings`: the visitor's language, as the runtime chose it. */
  widget?: { theme?: Partial<Theme> | null; locale?: string; dir?: string; strings?: Partial<Record<string, Template>> } | null;
}

export interface Session extends WidgetConfig {
  sessionId: string;
  visitorToken: string;
  resumed: boolean;
}
