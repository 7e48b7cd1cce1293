/** Creates an element with attributes and children. Strings become text nodes: never parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const name of Object.keys(attributes)) element.setAttribute(name, attributes[name]!);
  element.append(...children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A decorative 24×24 icon, built as DOM nodes (no markup strings, so a Trusted Types page accepts it). */
export function icon(path: Record<string, string>): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  const attributes: Record<string, string> = { viewBox: '0 0 24 24', width: '26', height: '26', 'aria-hidden': 'true', focusable: 'false' };
  for (const name of Object.keys(attributes)) svg.setAttribute(name, attributes[name]!);
  const shape = svg.appendChild(document.createElementNS(SVG, 'path'));
  for (const name of Object.keys(path)) shape.setAttribute(name, path[name]!);
  return svg;
}

export const iconChat = () =>
  icon({
    fill: 'currentColor',
    d: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z',
  });
export const iconClose = () => icon({ stroke: 'currentColor', 'stroke-width': '2.4', 'stroke-linecap': 'round', d: 'M6 6l12 12M18 6 6 18' });
export const iconSend = () => icon({ fill: 'currentColor', d: 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z' });
