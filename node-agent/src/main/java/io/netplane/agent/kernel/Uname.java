package io.netplane.agent.kernel;

import com.sun.jna.LastErrorException;

import java.nio.charset.StandardCharsets;

/** uname(2): the host name and the kernel release ({@code uname -n}, {@code uname -r}). */
public record Uname(String nodename, String release) {
    private static final int FIELD = 65; // _UTSNAME_LENGTH on Linux

    public static Uname read() {
        byte[] buffer = new byte[FIELD * 6];
        try {
            LibC.INSTANCE.uname(buffer);
        } catch (LastErrorException e) {
            throw new KernelException("uname", e.getErrorCode(), null);
        }
        return new Uname(field(buffer, 1), field(buffer, 2));
    }

    private static String field(byte[] buffer, int number) {
        int start = number * FIELD;
        int end = start;
        while (end < start + FIELD && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, start, end - start, StandardCharsets.US_ASCII);
    }
}
