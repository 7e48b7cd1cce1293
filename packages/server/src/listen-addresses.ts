import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The URLs a server bound to `host:port` can be reached at, for the start banner. A wildcard host
 * is every interface: each interface's address is listed, loopback first, IPv6 in brackets (IPv6
 * only when the wildcard is `::`). Nothing is contacted; the list comes from the interfaces.
 */
export function listeningUrls(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const url = (address: string) => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  if (!WILDCARDS.has(host)) return [url(host)];
  const withV6 = host === '::';
  const addresses = Object.values(interfaces)
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' || (withV6 && entry.family === 'IPv6' && !entry.address.startsWith('fe80:')))
    .sort((a, b) => Number(b.internal) - Number(a.internal) || (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  return [...new Set(addresses.map((entry) => url(entry.address)))];
}
