package io.netplane.agent.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request: the 16-byte header, the family header (ifinfomsg, ifaddrmsg, rtmsg) and
 * attributes, nested where needed. Pure: no socket, so unit tests compare its bytes with golden ones.
 * The sequence number is filled in when the socket sends it.
 */
public final class NetlinkRequest {
    private final ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN); // host order (x86_64, arm64)
    private final short type;
    private final int flags;

    private NetlinkRequest(short type, int flags) {
        this.type = type;
        this.flags = flags;
        buffer.position(Netlink.HEADER_LENGTH);
    }

    static NetlinkRequest of(short type, int flags) {
        return new NetlinkRequest(type, flags);
    }

    short type() { return type; }

    int flags() { return flags; }

    boolean isDump() { return (flags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP; }

    /** struct ifinfomsg (16 bytes). */
    NetlinkRequest ifinfomsg(byte family, int index, int flags, int change) {
        buffer.put(family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg (8 bytes). */
    NetlinkRequest ifaddrmsg(byte family, int prefixLength, int flags, int scope, int index) {
        buffer.put(family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
        return this;
    }

    /** struct rtmsg (12 bytes). */
    NetlinkRequest rtmsg(byte family, int dstLength, int table, int protocol, int scope, int routeType) {
        buffer.put(family).put((byte) dstLength).put((byte) 0).put((byte) 0)
                .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) routeType).putInt(0);
        return this;
    }

    /** struct ndmsg (12 bytes): family, 3 pad bytes, ifindex, state (NUD_*), flags (NTF_*), type 0. */
    NetlinkRequest ndmsg(byte family, int index, int state, int flags) {
        buffer.put(family).put((byte) 0).putShort((short) 0).putInt(index).putShort((short) state)
                .put((byte) flags).put((byte) 0);
        return this;
    }

    NetlinkRequest attribute(int attributeType, byte[] value) {
        buffer.putShort((short) (4 + value.length)).putShort((short) attributeType).put(value);
        pad();
        return this;
    }

    /** A NUL-terminated string attribute (NLA_NUL_STRING / IFNAMSIZ-limited names). */
    NetlinkRequest string(int attributeType, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return attribute(attributeType, Arrays.copyOf(bytes, bytes.length + 1));
    }

    NetlinkRequest u32(int attributeType, int value) {
        return attribute(attributeType, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    /** Opens a nested attribute; close it with {@link #end(int)}. */
    int begin(int attributeType) {
        int start = buffer.position();
        buffer.putShort((short) 0).putShort((short) attributeType);
        return start;
    }

    NetlinkRequest end(int start) {
        buffer.putShort(start, (short) (buffer.position() - start));
        return this;
    }

    private void pad() {
        while ((buffer.position() & 3) != 0) {
            buffer.put((byte) 0);
        }
    }

    /** The bytes to send, with {@code seq} and the total length in the header (port id 0: the kernel's). */
    public byte[] toBytes(int seq) {
        int length = buffer.position();
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(buffer.array(), 0, length);
        out.putInt(0, length).putShort(4, type).putShort(6, (short) flags).putInt(8, seq).putInt(12, 0);
        return out.array();
    }
}
