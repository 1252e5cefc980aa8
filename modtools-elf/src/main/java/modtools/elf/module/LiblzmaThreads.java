package modtools.elf.module;

import com.sun.jna.Pointer;
import modtools.elf.jna.JnaBoot;

/**
 * liblzma's multi-threaded decoder (5.4 and later), bound apart from {@link Liblzma} so that an
 * older liblzma still decodes, on one thread. It decodes the blocks of a stream on several
 * threads when the block headers record their sizes, as xz 5.4 and later write them even for
 * one thread's worth of data (Debian 13's amdgpu.ko.xz: ten blocks of 3 MiB).
 */
final class LiblzmaThreads {
    static final boolean AVAILABLE = Liblzma.AVAILABLE && JnaBoot.register(LiblzmaThreads.class, Liblzma.LIBRARY);

    /** struct lzma_mt on LP64: sizeof and the offsets of the fields a decoder reads. */
    static final int OPTIONS_SIZE = 128;
    static final int FLAGS = 0;
    static final int THREADS = 4;
    static final int MEMLIMIT_THREADING = 64;
    static final int MEMLIMIT_STOP = 72;
    /**
     * Above this, liblzma decodes on one thread: each thread holds a block's output and its own
     * dictionary (for Debian's modules 3 and 1 MiB), and memory must stay near kmod's.
     */
    static final long THREADING_MEMORY = 16L << 20;

    private LiblzmaThreads() {}

    static native int lzma_stream_decoder_mt(Pointer stream, Pointer options);
}
