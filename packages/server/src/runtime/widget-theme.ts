import { WidgetPosition, type Agent, type DeploymentChannel, type ResolvedWidgetTheme, type WebChannelConfiguration, type WidgetTheme } from '@switchboard/core';

const DEFAULT_PRIMARY = '#0b5fff';
const DEFAULT_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * The theme a widget renders with. Layers, weakest first: built-in defaults, the web
 * channel's widget configuration, then the deployment's theme JSON. (Init overrides on
 * the page are applied by the widget itself.) The theme's `strings` are not part of it: they
 * reach the widget as `widget.strings`, merged into the visitor's language (widget-locales.ts).
 */
export function resolveWidgetTheme(theme: WidgetTheme, channel: DeploymentChannel, agent: Pick<Agent, 'name' | 'introductionMessage'>): ResolvedWidgetTheme {
  const widget = (channel.configuration as Partial<WebChannelConfiguration>).widgetConfiguration;
  const custom = widget?.customTheme ?? {};
  const primaryColor = theme.primaryColor ?? custom.primaryColor ?? DEFAULT_PRIMARY;
  return {
    primaryColor,
    launcherColor: theme.launcherColor ?? custom.launcherColor ?? primaryColor,
    launcherIcon: theme.launcherIcon ?? 'chat',
    position: theme.position ?? widget?.position ?? WidgetPosition.RIGHT,
    greeting: theme.greeting ?? agent.introductionMessage ?? null,
    avatarUrl: theme.avatarUrl ?? null,
    headerTitle: theme.headerTitle ?? agent.name,
    fontFamily: theme.fontFamily ?? custom.fontFamily ?? DEFAULT_FONT,
    colorScheme: theme.colorScheme ?? 'light',
    launcherText: theme.launcherText ?? null,
    sound: theme.sound ?? false,
  };
}
