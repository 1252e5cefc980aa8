package modtools.elf.module;

/**
 * Why a zstd stream cannot be decoded, in libzstd's words (ZSTD_getErrorName, which kmod prints).
 * libzstd tells many kinds of corruption apart that no other decoder would name alike; those
 * are one problem here, so that both decoders fail a file with the same line.
 */
enum ZstdProblem {
    UNKNOWN_FRAME("Unknown frame descriptor"),
    UNSUPPORTED_PARAMETER("Unsupported frame parameter"),
    WINDOW_TOO_LARGE("Frame requires too much memory for decoding"),
    CHECKSUM("Restored data doesn't match checksum"),
    DICTIONARY("Dictionary mismatch"),
    MEMORY("Allocation error : not enough memory"),
    CORRUPT("Data corruption detected"),
    /** The input ends inside a frame, or what follows a frame is none (one-shot decoding only). */
    SRC_SIZE("Src size is incorrect"),
    /** The frames hold more than the first one declares (one-shot decoding only). */
    DST_TOO_SMALL("Destination buffer is too small"),
    /** Not libzstd's: kmod's own words for a first frame without a usable content size. */
    UNKNOWN_SIZE("Failed to determine decompression size");

    private final String text;

    ZstdProblem(String text) {
        this.text = text;
    }

    DecodeFailure failure() {
        return new DecodeFailure(text);
    }

    /** libzstd's ZSTD_ErrorCode (zstd_errors.h, stable values). */
    static ZstdProblem ofErrorCode(int code) {
        return switch (code) {
            case 10, 12 -> UNKNOWN_FRAME; // prefix_unknown, version_unsupported
            case 14 -> UNSUPPORTED_PARAMETER; // frameParameter_unsupported
            case 16 -> WINDOW_TOO_LARGE; // frameParameter_windowTooLarge
            case 22 -> CHECKSUM; // checksum_wrong
            case 32 -> DICTIONARY; // dictionary_wrong
            case 64 -> MEMORY; // memory_allocation
            case 70 -> DST_TOO_SMALL; // dstSize_tooSmall
            case 72 -> SRC_SIZE; // srcSize_wrong
            default -> CORRUPT;
        };
    }

    /** What aircompressor threw: it says "checksum" for a wrong one and other things for the rest. */
    static ZstdProblem ofJava(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("checksum")) {
            return CHECKSUM;
        }
        if (message.contains("Window size too large")) {
            return WINDOW_TOO_LARGE;
        }
        return CORRUPT;
    }
}
