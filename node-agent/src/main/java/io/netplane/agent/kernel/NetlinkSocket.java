package io.netplane.agent.kernel;

import com.sun.jna.LastErrorException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket of the calling thread's network namespace. Sends one request at a time and
 * reads its answer: an ACK (or the kernel's error) for a change, every part of a multi-part dump until
 * NLMSG_DONE. Not thread-safe: the agent uses it from its one kernel thread (rtnl_lock serialises anyway).
 *
 * <p>Later a socket per network namespace is opened the same way from a thread that entered it.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024; // ≥ 32 KiB: a smaller buffer silently truncates dump datagrams
    private static final int DUMP_ATTEMPTS = 5;

    private final int fd;
    private final byte[] receiveBuffer = new byte[BUFFER_BYTES];
    private int seq = (int) (System.nanoTime() & 0x7fff_ffff);

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /** Opens and binds a route socket with extended acks, capped acks and a receive timeout. */
    public static NetlinkSocket open(int timeoutMillis) {
        LibC libc = LibC.INSTANCE;
        int fd;
        try {
            fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new KernelException("open netlink route socket", e.getErrorCode(), null);
        }
        try {
            setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, BUFFER_BYTES * 4, "SO_RCVBUF");
            setInt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, BUFFER_BYTES, "SO_SNDBUF");
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            setInt(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            // a request the kernel drops (e.g. a malformed length) would otherwise block recv forever
            byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(timeoutMillis / 1000).putLong((timeoutMillis % 1000) * 1000L).array();
            libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, timeval.length);
            byte[] sockaddr = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(0).putInt(0).array();
            libc.bind(fd, sockaddr, sockaddr.length);
            return new NetlinkSocket(fd);
        } catch (LastErrorException e) {
            libc.close(fd);
            throw new KernelException("set up netlink route socket", e.getErrorCode(), null);
        }
    }

    private static void setInt(int fd, int level, int name, int value, String what) {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
        try {
            LibC.INSTANCE.setsockopt(fd, level, name, bytes, bytes.length);
        } catch (LastErrorException e) {
            throw new KernelException("setsockopt " + what, e.getErrorCode(), null);
        }
    }

    /** Sends a change (which must ask for an ACK) and waits for it; the kernel's error becomes a KernelException. */
    public void execute(String operation, NetlinkRequest request) {
        exchange(operation, request);
    }

    /** Sends a GET of one object and returns its reply message. */
    public NetlinkMessage get(String operation, NetlinkRequest request) {
        List<NetlinkMessage> replies = exchange(operation, request);
        if (replies.isEmpty()) {
            throw new KernelException(operation, "the kernel answered with an ACK only", null);
        }
        return replies.get(0);
    }

    /** Sends a dump request and returns every message of every part; redone if the kernel says it was interrupted. */
    public List<NetlinkMessage> dump(String operation, NetlinkRequest request) {
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange(operation, request);
            } catch (DumpInterrupted e) {
                if (attempt == DUMP_ATTEMPTS) {
                    throw new KernelException(operation, "dump interrupted " + attempt + " times by concurrent changes", null);
                }
            }
        }
    }

    private List<NetlinkMessage> exchange(String operation, NetlinkRequest request) {
        int mySeq = ++seq;
        byte[] bytes = request.toBytes(mySeq);
        try {
            LibC.INSTANCE.send(fd, bytes, bytes.length, 0);
        } catch (LastErrorException e) {
            throw new KernelException(operation, e.getErrorCode(), null);
        }
        boolean dump = request.isDump();
        boolean interrupted = false;
        List<NetlinkMessage> replies = new ArrayList<>();
        while (true) {
            for (NetlinkMessage message : receive(operation)) {
                if (message.seq() != mySeq) {
                    continue; // a late answer to an earlier request that timed out
                }
                interrupted |= (message.flags() & Netlink.NLM_F_DUMP_INTR) != 0;
                if (message.isError()) {
                    if (message.errno() != 0) {
                        throw new KernelException(operation, message.errno(), message.extAck());
                    }
                    return replies; // the ACK ends a change or a GET
                }
                if (message.isDone()) {
                    if (message.errno() != 0) {
                        throw new KernelException(operation, message.errno(), message.extAck());
                    }
                    if (interrupted) {
                        throw new DumpInterrupted();
                    }
                    return replies;
                }
                replies.add(message);
                if (!dump && (request.flags() & Netlink.NLM_F_ACK) == 0) {
                    return replies;
                }
            }
        }
    }

    private List<NetlinkMessage> receive(String operation) {
        long length;
        try {
            length = LibC.INSTANCE.recv(fd, receiveBuffer, receiveBuffer.length, LibC.MSG_TRUNC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN) {
                throw new KernelException(operation, "no answer from the kernel before the socket's receive timeout", e);
            }
            throw new KernelException(operation, e.getErrorCode(), null);
        }
        if (length > receiveBuffer.length) {
            throw new KernelException(operation, "reply of " + length + " bytes truncated to " + receiveBuffer.length, null);
        }
        // copy: the parsed messages must outlive the next recv into the same buffer
        byte[] datagram = java.util.Arrays.copyOf(receiveBuffer, (int) length);
        return NetlinkMessage.parseAll(ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public void close() {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // nothing to undo: the descriptor is gone either way
        }
    }

    private static final class DumpInterrupted extends RuntimeException {
        DumpInterrupted() {
            super(null, null, false, false);
        }
    }
}
