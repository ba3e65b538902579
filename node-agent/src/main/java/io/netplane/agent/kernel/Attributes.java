package io.netplane.agent.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The rtattr list of a message (or of a nested attribute), by type. The last of a repeated type wins. */
public final class Attributes {
    private final Map<Integer, ByteBuffer> values;

    private Attributes(Map<Integer, ByteBuffer> values) {
        this.values = values;
    }

    static Attributes parse(ByteBuffer source, int offset) {
        ByteBuffer in = source.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, ByteBuffer> values = new HashMap<>();
        int position = offset;
        while (position + 4 <= in.limit()) {
            int length = in.getShort(position) & 0xffff;
            int type = in.getShort(position + 2) & Netlink.NLA_TYPE_MASK;
            if (length < 4 || position + length > in.limit()) {
                break; // a truncated attribute ends the list, as the kernel's nla_ok() does
            }
            ByteBuffer value = in.duplicate();
            value.position(position + 4).limit(position + length);
            values.put(type, value.slice().order(ByteOrder.LITTLE_ENDIAN));
            position += Netlink.align(length);
        }
        return new Attributes(values);
    }

    public boolean has(int type) { return values.containsKey(type); }

    /** A string attribute without its trailing NUL, or null. */
    public String string(int type) {
        ByteBuffer value = values.get(type);
        if (value == null) {
            return null;
        }
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    public int u32(int type, int absent) {
        ByteBuffer value = values.get(type);
        return value == null || value.remaining() < 4 ? absent : value.getInt(0);
    }

    public int u8(int type, int absent) {
        ByteBuffer value = values.get(type);
        return value == null || value.remaining() < 1 ? absent : value.get(0) & 0xff;
    }

    /** A 16-bit attribute in network byte order (e.g. IFLA_VXLAN_PORT), or {@code absent}. */
    public int u16be(int type, int absent) {
        ByteBuffer value = values.get(type);
        return value == null || value.remaining() < 2 ? absent : ((value.get(0) & 0xff) << 8) | (value.get(1) & 0xff);
    }

    /** A 6-byte hardware address as "02:42:ac:11:00:02", or null. */
    public String mac(int type) {
        ByteBuffer value = values.get(type);
        if (value == null || value.remaining() != 6) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(i == 0 ? "" : ":").append(String.format("%02x", value.get(i) & 0xff));
        }
        return text.toString();
    }

    /** An address attribute (network byte order), or null. */
    public InetAddress address(int type) {
        ByteBuffer value = values.get(type);
        if (value == null || (value.remaining() != 4 && value.remaining() != 16)) {
            return null;
        }
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only thrown for a wrong length, checked above
        }
    }

    public Attributes nested(int type) {
        ByteBuffer value = values.get(type);
        return value == null ? new Attributes(Map.of()) : parse(value, 0);
    }
}
