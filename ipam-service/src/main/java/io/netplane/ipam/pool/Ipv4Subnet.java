package io.netplane.ipam.pool;

/**
 * An IPv4 prefix as written by the user ({@code address} may have host bits set; {@link #hasHostBits()} says
 * so). Pure arithmetic on unsigned 32-bit values held in an int.
 */
public record Ipv4Subnet(int address, int prefix) {

    public Ipv4Subnet {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix " + prefix + " is not in 0..32");
        }
    }

    /** Parses {@code a.b.c.d/n}; throws {@link IllegalArgumentException} with the text on any other input. */
    public static Ipv4Subnet parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("invalid CIDR address: ");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        int prefix = parseDecimal(text.substring(slash + 1), 32, text);
        return new Ipv4Subnet(Ipv4Address.parse(text.substring(0, slash), text), prefix);
    }

    public static Ipv4Subnet of(String text) {
        return parse(text);
    }

    static int parseDecimal(String digits, int max, String whole) {
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid CIDR address: " + whole);
        }
        int value = Integer.parseInt(digits);
        if (value > max) {
            throw new IllegalArgumentException("invalid CIDR address: " + whole);
        }
        return value;
    }

    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public int network() {
        return address & mask();
    }

    public int broadcast() {
        return network() | ~mask();
    }

    /** Number of addresses (2^(32-prefix)), as a long so that /0 fits. */
    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean hasHostBits() {
        return address != network();
    }

    /** The same prefix without host bits: 10.1.1.5/24 → 10.1.1.0/24. */
    public Ipv4Subnet canonical() {
        return new Ipv4Subnet(network(), prefix);
    }

    /** The first address after the network address (.1 of a /24), Docker's default gateway. */
    public int firstHost() {
        return network() + 1;
    }

    public boolean contains(int ip) {
        return (ip & mask()) == network();
    }

    public boolean contains(Ipv4Subnet other) {
        return other.prefix >= prefix && contains(other.network());
    }

    public boolean overlaps(Ipv4Subnet other) {
        return contains(other.network()) || other.contains(network());
    }

    /** Canonical text: {@code 172.18.0.0/16}. */
    @Override
    public String toString() {
        return Ipv4Address.format(network()) + "/" + prefix;
    }

    /** The text as written, host bits kept. */
    public String asWritten() {
        return Ipv4Address.format(address) + "/" + prefix;
    }
}
