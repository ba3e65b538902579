package io.netplane.agent.kernel;

import com.sun.jna.Pointer;

/**
 * An nftables context (libnftables through JNA) of the calling thread's network namespace. Each
 * {@link #apply} is one transaction: all of its commands or none. Not thread-safe: one context per thread.
 */
public final class Nftables implements AutoCloseable {
    private static volatile LibNftables library;

    private final Pointer context;
    private final Pointer jsonContext;

    private Nftables(Pointer context, Pointer jsonContext) {
        this.context = context;
        this.jsonContext = jsonContext;
    }

    public static Nftables open() {
        LibNftables nft = library();
        Pointer context = newContext(nft, 0);
        Pointer json = newContext(nft, LibNftables.NFT_CTX_OUTPUT_JSON);
        return new Nftables(context, json);
    }

    private static LibNftables library() {
        LibNftables loaded = library;
        if (loaded == null) {
            try {
                loaded = NativeLibraries.load("nftables", LibNftables.class);
            } catch (UnsatisfiedLinkError e) {
                throw new KernelException("load libnftables", "libnftables.so.1 is missing (apt-get install libnftables1): "
                        + e.getMessage(), e);
            }
            library = loaded;
        }
        return loaded;
    }

    private static Pointer newContext(LibNftables nft, int outputFlags) {
        Pointer context = nft.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (context == null) {
            throw new KernelException("nft_ctx_new", "libnftables returned no context", null);
        }
        nft.nft_ctx_buffer_output(context);
        nft.nft_ctx_buffer_error(context);
        nft.nft_ctx_output_set_flags(context, outputFlags);
        return context;
    }

    /** Equivalent to {@code nft -f FILE} with {@code commands} as the file: one atomic transaction. */
    public void apply(String operation, String commands) {
        run(context, operation, commands);
    }

    /** Equivalent to {@code nft -j COMMAND} (e.g. {@code list table inet netplane}): the JSON it prints. */
    public String json(String operation, String command) {
        return run(jsonContext, operation, command);
    }

    private static String run(Pointer context, String operation, String commands) {
        LibNftables nft = library();
        int rc = nft.nft_run_cmd_from_buffer(context, commands);
        String output = nft.nft_ctx_get_output_buffer(context); // reading rewinds the buffer for the next command
        String error = nft.nft_ctx_get_error_buffer(context);
        if (rc != 0) {
            throw new KernelException(operation, "nftables refused the transaction: "
                    + (error == null || error.isBlank() ? "rc " + rc : error.strip()), null);
        }
        return output == null ? "" : output;
    }

    @Override
    public void close() {
        LibNftables nft = library();
        nft.nft_ctx_free(context);
        nft.nft_ctx_free(jsonContext);
    }
}
