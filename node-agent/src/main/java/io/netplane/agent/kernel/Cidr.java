package io.netplane.agent.kernel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length: {@code 10.0.0.1/24} (an interface address) or {@code 10.0.0.0/24} (a subnet). */
public record Cidr(InetAddress address, int prefixLength) {

    public Cidr {
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + bits);
        }
    }

    /** Parses "10.0.0.1/24" or "10.0.0.1" (a host: /32 or /128). Literal addresses only, never a DNS lookup. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        int prefix = slash < 0 ? address.getAddress().length * 8 : Integer.parseInt(text.substring(slash + 1));
        return new Cidr(address, prefix);
    }

    /** Parses a literal IPv4 or IPv6 address without resolving names. */
    public static InetAddress literal(String text) {
        if (!text.matches("[0-9a-fA-F:.]+") || (!text.contains(".") && !text.contains(":"))) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
    }

    public boolean isIpv4() { return address instanceof Inet4Address; }

    /** The network of this address: 10.0.0.1/24 → 10.0.0.0/24. */
    public Cidr network() {
        byte[] bytes = address.getAddress();
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return new Cidr(InetAddress.getByAddress(bytes), prefixLength);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The IPv4 broadcast address of this subnet (all host bits set). */
    public InetAddress broadcast() {
        byte[] bytes = address.getAddress();
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
