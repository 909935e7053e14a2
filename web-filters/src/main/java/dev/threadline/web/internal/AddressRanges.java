package dev.threadline.web.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** IP addresses and CIDR ranges, IPv4 and IPv6, parsed from literals only (never a name lookup). Immutable. */
public final class AddressRanges {

  private final List<byte[]> networks;
  private final List<Integer> prefixes;

  private AddressRanges(List<byte[]> networks, List<Integer> prefixes) {
    this.networks = networks;
    this.prefixes = prefixes;
  }

  /**
   * {@code 10.0.0.0/8, 192.168.1.5, fd00::/8}: comma-separated addresses and ranges.
   *
   * @throws IllegalArgumentException naming an entry that is not an IP literal with an optional valid prefix length
   */
  public static AddressRanges parse(String ranges) {
    List<byte[]> networks = new ArrayList<>();
    List<Integer> prefixes = new ArrayList<>();
    for (String entry : ranges.split(",")) {
      String range = entry.trim();
      if (range.isEmpty()) {
        continue;
      }
      int slash = range.indexOf('/');
      String address = slash < 0 ? range : range.substring(0, slash);
      byte[] bytes = literal(address);
      if (bytes == null) {
        throw new IllegalArgumentException("trustedCallers: '" + range + "' is not an IP address or CIDR range");
      }
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(range.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new IllegalArgumentException("trustedCallers: '" + range + "' has no valid prefix length");
        }
      }
      networks.add(bytes);
      prefixes.add(prefix);
    }
    return new AddressRanges(networks, prefixes);
  }

  /** Whether {@code address} (an IP literal, as a servlet container reports the peer) is in one of the ranges. */
  public boolean contains(String address) {
    byte[] bytes = address == null ? null : literal(address);
    if (bytes == null) {
      return false;
    }
    for (int i = 0; i < networks.size(); i++) {
      byte[] network = networks.get(i);
      if (network.length == bytes.length && matches(network, bytes, prefixes.get(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] network, byte[] address, int prefix) {
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (network[i] != address[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (network[full] & mask) == (address[full] & mask);
  }

  /** The bytes of an IP literal; {@code null} for anything else, which is never looked up as a name. */
  private static byte[] literal(String address) {
    String a = address.trim();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    boolean ipv4 = a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    if (a.isEmpty() || !AccessLog.isIpLiteral(a) || (a.indexOf(':') < 0 && !ipv4)) {
      return null;
    }
    try {
      return InetAddress.getByName(a).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
