import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A destination refused by the SSRF guard; the attempt fails with this and is not retried. */
export class DestinationRefused extends Error {
  readonly code = 'EDESTINATIONREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

export interface SsrfPolicy {
  /** CIDRs allowed even though they are private/loopback/link-local (tests, development). */
  allowCidrs: string[];
  /** Refuse plain http:// destinations (production mode). */
  requireHttps: boolean;
  /** Told each refused address (for the service's log: the attempt's error does not name it). */
  onRefused?: (refused: { host: string; address: string; range: string }) => void;
}

/**
 * Refuses loopback, private, link-local (cloud metadata), multicast, unspecified and reserved addresses.
 * Checked on the resolved address at connection time, on every attempt, so DNS rebinding gains nothing.
 */
export class SsrfGuard {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(private readonly policy: SsrfPolicy) {
    this.allowed = policy.allowCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /**
   * Throws when `address` (an IP literal, `host` resolved) may not be connected to. The error names the kind of
   * address, never the address: what a tenant's host name resolves to inside Hookline's network is not theirs to map.
   */
  checkAddress(address: string, host = address): void {
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    const range = parsed.range();
    if (range === 'unicast') return;
    if (this.allowed.some(([net, bits]) => net.kind() === parsed.kind() && parsed.match(net, bits))) return;
    this.policy.onRefused?.({ host, address, range });
    throw new DestinationRefused(`the destination is a ${range} address, refused by the SSRF guard`);
  }

  /** Checks the URL itself: scheme, and the host when it is an IP literal (Node does no lookup for those). */
  checkUrl(url: URL): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DestinationRefused(`scheme ${url.protocol} is not allowed`);
    if (this.policy.requireHttps && url.protocol !== 'https:') throw new DestinationRefused('https is required in production mode');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host)) this.checkAddress(host);
  }

  /** A `lookup` for http agents that refuses connections to addresses the guard does not allow. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        for (const { address } of addresses) this.checkAddress(address, hostname);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
