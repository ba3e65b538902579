package io.netplane.agent.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** One message of a reply datagram; {@code payload} starts after the 16-byte header. */
public record NetlinkMessage(short type, int flags, int seq, int portId, ByteBuffer payload) {

    /** Every message of one datagram (the kernel packs several into one for dumps). */
    public static List<NetlinkMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer in = datagram.duplicate().order(ByteOrder.LITTLE_ENDIAN); // duplicate() resets the order
        List<NetlinkMessage> messages = new ArrayList<>();
        while (in.remaining() >= Netlink.HEADER_LENGTH) {
            int start = in.position();
            int length = in.getInt(start);
            if (length < Netlink.HEADER_LENGTH || length > in.remaining()) {
                throw new IllegalArgumentException("malformed netlink message: length " + length + " with "
                        + in.remaining() + " bytes left");
            }
            ByteBuffer payload = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            payload.position(start + Netlink.HEADER_LENGTH).limit(start + length);
            messages.add(new NetlinkMessage(in.getShort(start + 4), in.getShort(start + 6) & 0xffff,
                    in.getInt(start + 8), in.getInt(start + 12), payload.slice().order(ByteOrder.LITTLE_ENDIAN)));
            in.position(Math.min(in.limit(), start + Netlink.align(length)));
        }
        return messages;
    }

    public boolean isError() { return type == Netlink.NLMSG_ERROR; }

    public boolean isDone() { return type == Netlink.NLMSG_DONE; }

    /** The error code of an NLMSG_ERROR or NLMSG_DONE message as a positive errno; 0 is an ACK. */
    public int errno() {
        return payload.remaining() < 4 ? 0 : -payload.getInt(0);
    }

    /**
     * The extended-ack text (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR or NLMSG_DONE, or null. The TLVs follow
     * the echoed request: only its header when the kernel capped it (NETLINK_CAP_ACK), else all of it.
     */
    public String extAck() {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int offset = 4;
        if (isError()) {
            int echoed = payload.getInt(4);
            offset += (flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.HEADER_LENGTH : Netlink.align(echoed);
        }
        if (offset > payload.limit()) {
            return null;
        }
        return Attributes.parse(payload, offset).string(Netlink.NLMSGERR_ATTR_MSG);
    }

    /** The attributes after a family header of {@code headerLength} bytes. */
    public Attributes attributes(int headerLength) {
        return Attributes.parse(payload, headerLength);
    }
}
