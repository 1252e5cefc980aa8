package modtools.deps.resolve;

import modtools.elf.module.DecoderError;

/**
 * How a loader's attempt at a module ended: in, refused with an errno (the kernel's, or the
 * one kmod meets first), or stopped because the file could not be decompressed, with what the
 * decoder said about it, which kmod 34.2's libkmod logs before the command's own error.
 */
public sealed interface Insertion {
    Insertion INSERTED = new Inserted();

    /** 0 when the module is in, else the errno the commands word. */
    int errno();

    /** The module is in. */
    record Inserted() implements Insertion {
        @Override
        public int errno() {
            return 0;
        }
    }

    /** Refused with {@code errno}. */
    record Refused(int errno) implements Insertion {}

    /** The file's decoder rejected it; kmod answers EINVAL ("Invalid parameters" to insmod). */
    record Undecodable(DecoderError error) implements Insertion {
        @Override
        public int errno() {
            return LinuxErrno.EINVAL;
        }
    }

    /** 0 as {@link #INSERTED}, any other errno as {@link Refused}. */
    static Insertion of(int errno) {
        return errno == 0 ? INSERTED : new Refused(errno);
    }
}
