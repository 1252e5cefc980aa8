package modtools.elf.module;

import java.io.IOException;

/**
 * Compressed data a decoder rejects, as one line in the words of the C library that kmod uses
 * (so both decoders of a format fail a file with the same line); the file's name is added by
 * {@link Decompression}.
 */
final class DecodeFailure extends IOException {
    DecodeFailure(String problem) {
        super(problem, null);
    }
}
