/**
 * Which addresses Switchboard may call when the target was configured by an operator (agent
 * backends, event webhooks, custom webhooks, voice gateways, helpdesks, provider API base URLs,
 * SMTP hosts). Only public unicast addresses pass; loopback, private, unique-local, link-local
 * (cloud metadata at 169.254.169.254 included), CGNAT, multicast, unspecified, reserved and
 * IPv4-mapped forms of any of them are refused, however they are spelled. Exceptions come from
 * SWITCHBOARD_EGRESS_ALLOW: host names (exact) and addresses or CIDR ranges.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  uniqueLocal: 'a unique-local (private IPv6) address',
  linkLocal: 'a link-local address (cloud metadata lives there)',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

export interface EgressPolicy {
  /** The allow-list as given: host names and CIDR ranges. */
  readonly allow: readonly string[];
  /** Why a literal address may not be connected to, or undefined when it may. */
  refusalForAddress(address: string): string | undefined;
  /** Why a host name may not even be resolved (only allow-list-only policies refuse any), judged before DNS. */
  refusalForHostName(hostname: string): string | undefined;
  /** Whether the host name itself is on the allow-list (it is then not checked further). */
  allowsHostName(hostname: string): boolean;
  /**
   * Why a URL (or a bare host) may not be called, judged before any DNS lookup: an unusable
   * scheme, or a literal address the policy refuses. Host names pass here and are checked on
   * every connection once resolved.
   */
  refusalForTarget(target: string): string | undefined;
}

interface AllowEntries {
  hosts: Set<string>;
  ranges: [Address, number][];
}

/** Splits SWITCHBOARD_EGRESS_ALLOW (comma or space separated); throws naming the first bad entry. */
export function parseEgressAllow(text: string | undefined): string[] {
  if (!text) return [];
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  for (const entry of entries) readAllowEntry(entry);
  return entries;
}

function readAllowEntry(entry: string): { host: string } | { range: [Address, number] } {
  const bare = entry.replace(/^\[(.*)\]$/, '$1');
  if (bare.includes('/')) {
    try {
      return { range: ipaddr.parseCIDR(bare) };
    } catch {
      throw new Error(`SWITCHBOARD_EGRESS_ALLOW: '${entry}' is not a valid CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
    }
  }
  if (isIP(bare)) {
    const address = ipaddr.parse(bare);
    return { range: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(bare)) {
    throw new Error(`SWITCHBOARD_EGRESS_ALLOW: '${entry}' is neither a host name, an address nor a CIDR range`);
  }
  return { host: bare.toLowerCase().replace(/\.$/, '') };
}

/** An IPv4-mapped IPv6 address is judged as the IPv4 address it carries. */
function normalized(address: string): Address | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

export interface EgressPolicyOptions {
  /**
   * Connect only to the allow-list: public addresses are refused too, and a host name not on the
   * list is refused before any DNS lookup. Configuration-time checks stay as they are, so public
   * targets can still be saved (a staging copy of production settings, a test suite whose fakes
   * all listen on loopback).
   */
  connectOnlyToAllowed?: boolean;
}

export function egressPolicy(allow: readonly string[] = [], options: EgressPolicyOptions = {}): EgressPolicy {
  const entries: AllowEntries = { hosts: new Set(), ranges: [] };
  for (const entry of allow) {
    const parsed = readAllowEntry(entry);
    if ('host' in parsed) entries.hosts.add(parsed.host);
    else entries.ranges.push(parsed.range);
  }

  const allowedByRange = (address: Address) =>
    entries.ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base as never, bits));

  const onlyAllowed = options.connectOnlyToAllowed === true;
  const NOT_LISTED = 'which is not on the egress allow-list (only listed targets are connected to)';

  /** The refusal every policy makes of a literal address: anything but public unicast, unless listed. */
  const rangeRefusal = (text: string): string | undefined => {
    const address = normalized(text);
    if (!address) return `'${text}' is not an IP address`;
    if (allowedByRange(address)) return undefined;
    const range = address.range();
    if (range === 'unicast') return undefined;
    return `${address.toString()} is ${RANGE_NAMES[range] ?? `a ${range} address`}, which the egress policy refuses (SWITCHBOARD_EGRESS_ALLOW lists exceptions)`;
  };

  const policy: EgressPolicy = {
    allow,
    allowsHostName: (hostname) => entries.hosts.has(hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '')),
    refusalForAddress(text) {
      const refusal = rangeRefusal(text);
      if (refusal || !onlyAllowed) return refusal;
      const address = normalized(text)!;
      return allowedByRange(address) ? undefined : `${address.toString()} is a public address, ${NOT_LISTED}`;
    },
    refusalForHostName(hostname) {
      if (!onlyAllowed || policy.allowsHostName(hostname)) return undefined;
      return `${hostname} is a host name, ${NOT_LISTED}`;
    },
    refusalForTarget(target) {
      let hostname = target;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
        let url: URL;
        try {
          url = new URL(target);
        } catch {
          return 'is not a URL';
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return `uses ${url.protocol.slice(0, -1)}: only http and https are called`;
        hostname = url.hostname;
      } else if (!isIP(target.replace(/^\[(.*)\]$/, '$1'))) {
        // A bare host (an SMTP host, say) spelled as a number or in hex is read the way a URL reads it.
        try {
          hostname = new URL(`http://${target}`).hostname;
        } catch {
          return 'is not a host name';
        }
      }
      if (policy.allowsHostName(hostname)) return undefined;
      const bare = hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
      if (isIP(bare)) return rangeRefusal(bare);
      if (bare === 'localhost' || bare.endsWith('.localhost')) return `${bare} is a loopback name, which the egress policy refuses (SWITCHBOARD_EGRESS_ALLOW lists exceptions)`;
      return undefined;
    },
  };
  return policy;
}
