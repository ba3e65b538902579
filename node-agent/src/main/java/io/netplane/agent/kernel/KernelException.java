package io.netplane.agent.kernel;

/**
 * The kernel refused a request. The message names the operation and the kernel's answer, e.g.
 * {@code create bridge np-3f2a9c0e7b1d: File exists (EEXIST)}, followed by the extended-ack text when the
 * kernel gave one.
 */
public class KernelException extends RuntimeException {
    private final String operation;
    private final int errno;
    private final String extAck;

    public KernelException(String operation, int errno, String extAck) {
        super(describe(operation, errno, extAck));
        this.operation = operation;
        this.errno = errno;
        this.extAck = extAck;
    }

    public KernelException(String operation, String problem, Throwable cause) {
        super(operation + ": " + problem, cause);
        this.operation = operation;
        this.errno = 0;
        this.extAck = null;
    }

    private static String describe(String operation, int errno, String extAck) {
        String text = operation + ": " + Errno.text(errno) + " (" + Errno.name(errno) + ")";
        return extAck == null || extAck.isEmpty() ? text : text + ": " + extAck;
    }

    /** What was asked: "create bridge np-3f2a9c0e7b1d". */
    public String operation() { return operation; }

    /** The positive errno, 0 when the failure was not the kernel's answer (e.g. a malformed reply). */
    public int errno() { return errno; }

    /** "EEXIST". */
    public String errnoName() { return Errno.name(errno); }

    /** The kernel's extended-ack message, or null. */
    public String extAck() { return extAck; }

    public boolean is(int errno) { return this.errno == errno; }
}
