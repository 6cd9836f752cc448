package org.mailkeep.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network: an address and a prefix length (RFC 4632 §3.1, RFC 4291 §2.3). Used by SPF's ip4/ip6/a/mx
 * mechanisms, the allow/block lists and greylisting's /24 networks. Written by hand: the JDK has no CIDR type and
 * this is a dozen lines of bit arithmetic.
 */
public record Cidr(InetAddress network, int prefix) {

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + network.getHostAddress());
        }
        network = mask(network, prefix);
    }

    /** Parses "192.0.2.0/24", "2001:db8::/32" or a single address (a host network). Only literal addresses, never a DNS lookup. */
    public static Optional<Cidr> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        Optional<InetAddress> ip = literal(address);
        if (ip.isEmpty()) {
            return Optional.empty();
        }
        int bits = ip.get().getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("0|[1-9][0-9]{0,2}")) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(ip.get(), prefix));
    }

    /** An IPv4 dotted quad or an IPv6 literal, without resolving names. */
    public static Optional<InetAddress> literal(String text) {
        boolean v4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return Optional.empty();
                }
            }
        }
        try {
            return Optional.of(InetAddress.getByName(text)); // a literal: InetAddress does not query DNS for these
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The network of {@code address} with the given prefix (e.g. the /24 of a client for greylisting). */
    public static Cidr of(InetAddress address, int prefix) {
        return new Cidr(address, prefix);
    }

    /**
     * The network a client is counted by in connection limits, connection rates and login throttles: an IPv4 address
     * on its own, an IPv6 address by its /64 (RFC 4291 §2.5.1: the low 64 bits are the interface identifier, which a
     * host picks and rotates freely, RFC 8981; one subscriber gets at least a /64, RFC 6177 §2). IPv4-mapped IPv6
     * addresses are IPv4 ({@link InetAddress} already turns them into Inet4Address).
     */
    public static Cidr client(InetAddress address) {
        return new Cidr(address, address instanceof java.net.Inet4Address ? 32 : 64);
    }

    public boolean contains(InetAddress address) {
        if (address.getAddress().length != network.getAddress().length) {
            return false;
        }
        return mask(address, prefix).equals(network);
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}
