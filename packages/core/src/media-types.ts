/**
 * How files' media types are matched against a deployment's allowed types, shared by the server
 * and the widget's attachments chunk. No imports, so the widget bundles only these few lines.
 */

/** The media type without parameters, lower case: `Image/PNG; x=1` → `image/png`. */
export function bareMediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether `type` (bare) is one of `allowed`, where `image/*` allows every image type. */
export function mediaTypeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1)) && type.length > pattern.length - 1));
}
