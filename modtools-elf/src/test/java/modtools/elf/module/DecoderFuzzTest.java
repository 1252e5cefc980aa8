package modtools.elf.module;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.testkit.ScratchFile;
import java.nio.file.StandardOpenOption;

/**
 * The compressed-module decoders on any bytes, the pure-Java ones and the system libraries'
 * alike, with the output bounded as the commands bound it: a result or {@link IOException}
 * (a {@link ModuleLoadException} naming the file), nothing else, and never more than the limit.
 */
class DecoderFuzzTest {
    private static final int LIMIT = 1 << 24;
    private static final Path FILE = ScratchFile.create("fuzz.ko");

    @FuzzTest(maxDuration = "10m")
    void decoders(byte[] bytes) throws IOException {
        if (bytes.length < Compression.MAGIC_PROBE_SIZE) {
            return; // ModuleFile.contents refuses these before any decoder sees them
        }
        Files.write(FILE, bytes);
        try (FileChannel channel = FileChannel.open(FILE, StandardOpenOption.READ)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length);
            CompressedFile file = new CompressedFile("fuzz.ko", mapped, channel);
            for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD, Compression.GZIP}) {
                for (DecoderChoice choice : DecoderChoice.values()) {
                    try {
                        ByteBuffer out = Decompression.decode(c, new CompressedFile(file.name(), mapped.duplicate(),
                                channel), LIMIT, choice);
                        if (out.remaining() > LIMIT) {
                            throw new AssertionError(c + " " + choice + ": " + out.remaining() + " bytes past the limit");
                        }
                    } catch (ModuleLoadException e) {
                        // refused with a message naming the file
                    }
                }
            }
        }
    }
}
