package io.netplane.ipam.pool;

/** Dotted-quad IPv4 addresses as unsigned 32-bit values in an int; no name lookups, ever. */
public final class Ipv4Address {
    private Ipv4Address() {
    }

    /** Parses {@code a.b.c.d}; the message names {@code whole} (the text the user gave). */
    public static int parse(String text, String whole) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("invalid CIDR address: " + whole);
        }
        int value = 0;
        for (String part : parts) {
            value = (value << 8) | Ipv4Subnet.parseDecimal(part, 255, whole);
        }
        return value;
    }

    /** Parses an address alone; empty Optional-like null is not used: throws on anything else. */
    public static int parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("invalid IP address: ");
        }
        try {
            return parse(text, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid IP address: " + text);
        }
    }

    public static String format(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }
}
