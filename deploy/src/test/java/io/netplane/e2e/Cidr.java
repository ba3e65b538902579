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
