package io.netplane.agent.kernel;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * libnftables.so.1 (nftables' own library: what {@code nft} calls). No {@code throws LastErrorException}:
 * the library leaves errno non-zero after successful calls, so results are its return codes and error buffer.
 */
interface LibNftables extends Library {
    int NFT_CTX_DEFAULT = 0;
    int NFT_CTX_OUTPUT_JSON = 1 << 4;

    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, int flags);

    int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
}
