package modtools.elf.module;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import modtools.elf.jna.JnaBoot;

/**
 * The system's libzstd, bound by JNA's direct mapping and found by its soname, as
 * {@link Liblzma}. {@link #AVAILABLE} is false where the library cannot be loaded.
 */
final class Libzstd {
    static final String LIBRARY = "libzstd.so.1";
    static final boolean AVAILABLE = JnaBoot.register(Libzstd.class, LIBRARY);

    /** ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR, as unsigned long long. */
    static final long CONTENTSIZE_UNKNOWN = -1L;
    static final long CONTENTSIZE_ERROR = -2L;

    /** ZSTD_inBuffer and ZSTD_outBuffer on LP64: {pointer, size, pos}. */
    static final int BUFFER_SIZE = 24;
    static final int BUFFER_POINTER = 0;
    static final int BUFFER_LENGTH = 8;
    static final int BUFFER_POS = 16;

    private Libzstd() {}

    static native Pointer ZSTD_createDStream();

    static native long ZSTD_initDStream(Pointer stream);

    static native long ZSTD_decompressStream(Pointer stream, Pointer output, Pointer input);

    static native long ZSTD_freeDStream(Pointer stream);

    static native int ZSTD_isError(long code);

    static native int ZSTD_getErrorCode(long code);

    static native long ZSTD_getFrameContentSize(ByteBuffer source, long size);

    static native long ZSTD_decompress(Pointer destination, long capacity, ByteBuffer source, long size);
}
