package io.resnetstream.ingest;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which network addresses an image may be fetched from. Every address that is not ordinary public unicast is
 * refused (loopback, private, link-local, shared, unique-local, multicast, reserved, documentation, the IPv6
 * transition blocks that embed an IPv4 address), unless a configured network names it; the cloud metadata
 * endpoints are refused whatever is configured: no image lives there, and a credential does.
 */
public final class AddressRules {

    /** A range of addresses, {@code 10.0.0.0/8} or {@code fc00::/7}. */
    public record Cidr(byte[] network, int prefixLength) {

        /** Parses {@code address/length} (a bare address is a /32 or /128); literals only, never a DNS name. */
        public static Cidr parse(String text) {
            String trimmed = text.trim();
            int slash = trimmed.indexOf('/');
            String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
            if (!address.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP network: '" + text + "'");
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
                if (address.contains(":") && bytes.length == 4) {
                    bytes = mapped(bytes); // Java turns ::ffff:a.b.c.d into an IPv4 address: keep it IPv6 here
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP network: '" + text + "'");
            }
            int length;
            try {
                length = slash < 0 ? bytes.length * 8 : Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP network: '" + text + "'");
            }
            if (length < 0 || length > bytes.length * 8) {
                throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
            }
            return new Cidr(bytes, length);
        }

        private static byte[] mapped(byte[] v4) {
            byte[] v6 = new byte[16];
            v6[10] = (byte) 0xFF;
            v6[11] = (byte) 0xFF;
            System.arraycopy(v4, 0, v6, 12, 4);
            return v6;
        }

        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private record Block(Cidr range, String name) {
        static Block of(String cidr, String name) {
            return new Block(Cidr.parse(cidr), name);
        }
    }

    /** Never fetched from, whatever {@code allowed-networks} says. */
    private static final List<Block> METADATA = List.of(
            Block.of("169.254.169.254/32", "cloud metadata"),
            Block.of("169.254.170.2/32", "cloud metadata (ECS task)"),
            Block.of("100.100.100.200/32", "cloud metadata (Alibaba)"),
            Block.of("fd00:ec2::254/128", "cloud metadata (EC2 IPv6)"));

    /** IANA special-purpose ranges (RFC 6890 and its updates); first match names the refusal. */
    private static final List<Block> SPECIAL = List.of(
            Block.of("0.0.0.0/8", "unspecified ('this network')"),
            Block.of("10.0.0.0/8", "private"),
            Block.of("100.64.0.0/10", "shared (CGNAT)"),
            Block.of("127.0.0.0/8", "loopback"),
            Block.of("169.254.0.0/16", "link-local"),
            Block.of("172.16.0.0/12", "private"),
            Block.of("192.0.0.0/24", "IETF protocol assignments"),
            Block.of("192.0.2.0/24", "documentation"),
            Block.of("192.88.99.0/24", "6to4 relay"),
            Block.of("192.168.0.0/16", "private"),
            Block.of("198.18.0.0/15", "benchmarking"),
            Block.of("198.51.100.0/24", "documentation"),
            Block.of("203.0.113.0/24", "documentation"),
            Block.of("224.0.0.0/4", "multicast"),
            Block.of("240.0.0.0/4", "reserved or broadcast"),
            Block.of("::/128", "unspecified"),
            Block.of("::1/128", "loopback"),
            Block.of("::ffff:0:0/96", "IPv4-mapped IPv6"),
            Block.of("::/96", "IPv4-compatible IPv6"),
            Block.of("64:ff9b::/96", "NAT64"),
            Block.of("64:ff9b:1::/48", "NAT64 (local)"),
            Block.of("100::/64", "discard"),
            Block.of("2001:db8::/32", "documentation"),
            Block.of("2001::/23", "IETF protocol assignments (Teredo)"),
            Block.of("2002::/16", "6to4"),
            Block.of("fc00::/7", "unique-local"),
            Block.of("fe80::/10", "link-local"),
            Block.of("fec0::/10", "site-local"),
            Block.of("ff00::/8", "multicast"));

    /** Public IPv6 unicast lies in 2000::/3; anything else not named above is reserved. */
    private static final Cidr GLOBAL_UNICAST_V6 = Cidr.parse("2000::/3");

    private final List<Cidr> allowed;

    /** @param allowedNetworks ranges that may be fetched from although special (an in-cluster image server) */
    public AddressRules(List<String> allowedNetworks) {
        this.allowed = allowedNetworks.stream().map(Cidr::parse).toList();
    }

    /** Why {@code address} must not be connected to, or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        for (Block b : METADATA) {
            if (b.range().contains(address)) {
                return Optional.of(b.name() + " address " + address.getHostAddress());
            }
        }
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            return Optional.of("IPv6 address with a zone " + address.getHostAddress());
        }
        if (allowed.stream().anyMatch(c -> c.contains(address))) {
            return Optional.empty();
        }
        for (Block b : SPECIAL) {
            if (b.range().contains(address)) {
                return Optional.of(b.name() + " address " + address.getHostAddress());
            }
        }
        if (address instanceof Inet6Address && !GLOBAL_UNICAST_V6.contains(address)) {
            return Optional.of("reserved IPv6 address " + address.getHostAddress());
        }
        if (!(address instanceof Inet4Address) && !(address instanceof Inet6Address)) {
            return Optional.of("unknown address family");
        }
        return Optional.empty();
    }
}
