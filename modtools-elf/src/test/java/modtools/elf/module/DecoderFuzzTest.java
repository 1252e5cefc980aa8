package modtools.elf.module;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * The compressed-module decoders on any bytes, the pure-Java ones and the system libraries'
 * alike, with the output bounded as the commands bound it: a result or
 * {@link ModuleLoadException}, nothing else, and never more than the limit.
 */
class DecoderFuzzTest {
    private static final int LIMIT = 1 << 24;

    @FuzzTest(maxDuration = "10m")
    void decoders(byte[] bytes) {
        for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD, Compression.GZIP}) {
            for (DecoderChoice choice : DecoderChoice.values()) {
                ByteBuffer in = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                try {
                    ByteBuffer out = Decompression.decode(c, in, "fuzz.ko", LIMIT, choice);
                    if (out.remaining() > LIMIT) {
                        throw new AssertionError(c + " " + choice + ": " + out.remaining() + " bytes past the limit");
                    }
                } catch (ModuleLoadException e) {
                    // refused with a message
                }
            }
        }
    }
}
