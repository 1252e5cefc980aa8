package modtools.elf.module;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The pure-Java decoders: org.tukaani:xz and aircompressor (behind {@link ZstdFrames}) where
 * liblzma or libzstd is missing or the Java ones are asked for, and java.util.zip for gzip. Each
 * call has its own decoder state, so threads decode at once.
 */
final class JavaDecoders {
    private JavaDecoders() {}

    static ByteBuffer xz(ByteBuffer compressed, String file, int limit) throws ModuleLoadException, DecodeFailure {
        BoundedOutput out = output(compressed, XzIndex.uncompressedSize(compressed), file, limit);
        try {
            out.readFrom(new XZInputStream(new BufferInputStream(compressed), limit / 1024));
        } catch (ModuleLoadException e) {
            throw e;
        } catch (IOException e) {
            throw XzProblem.ofJava(e).failure();
        }
        return out.toBuffer();
    }

    static ByteBuffer zstd(ByteBuffer compressed, String file, int limit) throws ModuleLoadException, DecodeFailure {
        BoundedOutput out = output(compressed, -1, file, limit);
        return zstd(out, () -> ZstdFrames.decode(compressed, out));
    }

    /**
     * The whole file in one call, as kmod 34.2 decodes it, into at most {@code capacity} bytes
     * (the first frame's content size, which the caller has checked against its limit).
     */
    static ByteBuffer zstdWhole(ByteBuffer compressed, int capacity) throws ModuleLoadException, DecodeFailure {
        BoundedOutput out = new BoundedOutput((int) Decompression.outputSize(capacity, compressed.remaining()),
                capacity, ZstdProblem.DST_TOO_SMALL::failure);
        return zstd(out, () -> ZstdFrames.decodeWhole(compressed, out));
    }

    /** A walk of {@link ZstdFrames} that fills {@code out}. */
    private interface ZstdWalk {
        void run() throws IOException;
    }

    private static ByteBuffer zstd(BoundedOutput out, ZstdWalk walk)
            throws ModuleLoadException, DecodeFailure {
        try {
            walk.run();
        } catch (ModuleLoadException | DecodeFailure e) {
            throw e;
        } catch (IOException e) {
            throw ZstdProblem.CORRUPT.failure();
        } catch (RuntimeException e) {
            // aircompressor reports bad input with unchecked exceptions
            throw ZstdProblem.ofJava(e).failure();
        }
        return out.toBuffer();
    }

    static ByteBuffer gzip(ByteBuffer compressed, String file, int limit) throws ModuleLoadException, DecodeFailure {
        BoundedOutput out = output(compressed, -1, file, limit);
        try {
            out.readFrom(new GZIPInputStream(new BufferInputStream(compressed), 1 << 16));
        } catch (ModuleLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new DecodeFailure(describe(e));
        }
        return out.toBuffer();
    }

    private static BoundedOutput output(ByteBuffer compressed, long declared, String file, int limit) {
        return new BoundedOutput(file, (int) Math.min(limit, Decompression.outputSize(declared, compressed.remaining())),
                limit);
    }

    private static String describe(IOException e) {
        if (e instanceof EOFException) {
            return "unexpected end of input";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().get();
    }
}
