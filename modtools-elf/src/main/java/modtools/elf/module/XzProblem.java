package modtools.elf.module;

import java.io.EOFException;
import java.io.IOException;
import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.MemoryLimitException;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZFormatException;

/**
 * Why an xz stream cannot be decoded, in kmod's words for liblzma's answers. liblzma and the
 * Java decoder name the same damage differently; both are turned into these.
 */
enum XzProblem {
    FORMAT("File format not recognized"),
    OPTIONS("Unsupported compression options"),
    CORRUPT("File is corrupt"),
    TRUNCATED("Unexpected end of input"),
    MEMORY("Cannot allocate memory"),
    INTERNAL("Internal error (bug)");

    private static final int LZMA_MEM_ERROR = 5;
    private static final int LZMA_MEMLIMIT_ERROR = 6;
    private static final int LZMA_FORMAT_ERROR = 7;
    private static final int LZMA_OPTIONS_ERROR = 8;
    private static final int LZMA_DATA_ERROR = 9;
    private static final int LZMA_BUF_ERROR = 10;

    private final String text;

    XzProblem(String text) {
        this.text = text;
    }

    DecodeFailure failure() {
        return new DecodeFailure(text);
    }

    /** liblzma's lzma_ret, an error one. */
    static XzProblem ofReturn(int ret) {
        return switch (ret) {
            case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR -> MEMORY;
            case LZMA_FORMAT_ERROR -> FORMAT;
            case LZMA_OPTIONS_ERROR -> OPTIONS;
            case LZMA_DATA_ERROR -> CORRUPT;
            case LZMA_BUF_ERROR -> TRUNCATED;
            default -> INTERNAL;
        };
    }

    /** What org.tukaani:xz threw; it reads from memory, so any other failure is the data's. */
    static XzProblem ofJava(IOException e) {
        if (e instanceof XZFormatException) {
            return FORMAT;
        }
        if (e instanceof UnsupportedOptionsException) {
            return OPTIONS;
        }
        if (e instanceof MemoryLimitException) {
            return MEMORY;
        }
        if (e instanceof EOFException) {
            return TRUNCATED;
        }
        return CORRUPT;
    }
}
