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
}

/** The second element of `['init', options]`. */
export interface InitOptions {
  /** Optional: the token names the deployment. */
  agentId?: string;
  token: string;
  channel?: string;
  apiUrl?: string;
  /** Overrides merged over the deployment's theme. */
  theme?: Partial<Theme>;
  /** Open the panel as soon as the widget is ready. */
  open?: boolean;
  locale?: string;
}

export interface Message {
  id: string;
  sessionId: string;
  role: 'contact' | 'agent';
  text: string | null;
  clientMessageId: string | null;
  createdAt: number;
}

/** GET …/config, and the same fields in a session start's answer. */
export interface WidgetConfig {
  agent?: { id: string; name: string } | null;
  greeting?: string | null;
  widget?: { theme?: Partial<Theme> | null } | null;
}

export interface Session extends WidgetConfig {
  sessionId: string;
  visitorToken: string;
  resumed: boolean;
}
