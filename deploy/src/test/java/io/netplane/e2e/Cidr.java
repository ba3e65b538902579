package io.netplane.e2e;

/** IPv4 prefixes as the kernel prints them ("10.0.0.0/8", or a bare address for a host route). */
final class Cidr {
    private Cidr() {
    }

    static boolean overlap(String a, String b) {
        if (!isIpv4(a) || !isIpv4(b)) {
            return false;
        }
        long mask = mask(Math.min(prefixLength(a), prefixLength(b)));
        return (base(a) & mask) == (base(b) & mask);
    }

    static String firstHost(String cidr) {
        return format((base(cidr) & mask(prefixLength(cidr))) + 1);
    }

    /** The n-th address of the subnet (n = 1 is the first host). */
    static String host(String cidr, int n) {
        return format((base(cidr) & mask(prefixLength(cidr))) + n);
    }

    /** Docker's MAC for an IPv4 address: 02:42 and the four address bytes. */
    static String dockerMac(String address) {
        long a = base(address);
        return String.format("02:42:%02x:%02x:%02x:%02x", a >> 24 & 255, a >> 16 & 255, a >> 8 & 255, a & 255);
    }

    static int prefixLength(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? 32 : Integer.parseInt(cidr.substring(slash + 1));
    }

    private static boolean isIpv4(String cidr) {
        return cidr != null && cidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+(/\\d+)?");
    }

    private static long mask(int bits) {
        return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    }

    private static long base(String cidr) {
        int slash = cidr.indexOf('/');
        String[] octets = (slash < 0 ? cidr : cidr.substring(0, slash)).split("\\.");
        long value = 0;
        for (String octet : octets) {
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }

    private static String format(long address) {
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }
}
