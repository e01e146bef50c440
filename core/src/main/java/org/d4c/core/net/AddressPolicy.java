package org.d4c.core.net;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses count as public. A mirror on a public address must never send the seeder (or libtorrent) to a
 * loopback, link-local, private (RFC 1918, RFC 4193 ULA, CGNAT 100.64/10) or unspecified address: that would let a
 * catalog entry probe the operator's own network (SSRF). Mirrors configured on private addresses (a campus mirror,
 * a test) are allowed to redirect anywhere private.
 */
@FunctionalInterface
public interface AddressPolicy {
  /** @param host the host name as written in the URL; {@code address} one address it resolved to */
  boolean isPublic(String host, InetAddress address);

  AddressPolicy DEFAULT = (host, a) -> isPublicAddress(a);

  static boolean isPublicAddress(InetAddress a) {
    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) return false;
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) return false; // fc00::/7 unique local
      return true;
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (first == 100 && second >= 64 && second < 128) return false; // 100.64.0.0/10 carrier-grade NAT
    if (first == 0) return false;
    return true;
  }
}
