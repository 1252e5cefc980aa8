package modtools.elf.module;

import com.sun.jna.Pointer;
import modtools.elf.jna.JnaBoot;

/**
 * The system's liblzma, bound by JNA's direct mapping (a native method per call, no proxy),
 * found by its soname so that JNA neither searches a path nor runs {@code ldconfig -p}.
 * {@link #AVAILABLE} is false where the library cannot be loaded.
 */
final class Liblzma {
    static final String LIBRARY = "liblzma.so.5";
    static final boolean AVAILABLE = JnaBoot.register(Liblzma.class, LIBRARY);

    static final int LZMA_OK = 0;
    static final int LZMA_STREAM_END = 1;
    static final int LZMA_BUF_ERROR = 10;
    static final int LZMA_RUN = 0;
    static final int LZMA_FINISH = 3;
    /** Decode streams one after another, with stream padding between them, as kmod asks. */
    static final int LZMA_CONCATENATED = 0x08;
    static final long NO_MEMORY_LIMIT = -1L;

    /** struct lzma_stream on LP64: sizeof and the offsets of the fields we set or read. */
    static final int STREAM_SIZE = 136;
    static final int NEXT_IN = 0;
    static final int AVAIL_IN = 8;
    static final int NEXT_OUT = 24;
    static final int AVAIL_OUT = 32;
    static final int TOTAL_OUT = 40;

    private Liblzma() {}

    static native int lzma_stream_decoder(Pointer stream, long memlimit, int flags);

    static native int lzma_code(Pointer stream, int action);

    static native void lzma_end(Pointer stream);
}
