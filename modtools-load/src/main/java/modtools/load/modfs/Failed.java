package modtools.load.modfs;

import java.util.List;
import modtools.deps.resolve.Insertion;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.module.DecoderError;

/**
 * A load or removal that stopped, with the kernel's errno and what the kernel would log about
 * it, a line each (none when it was said already); the chain logs the lines where it undoes.
 * A file its decoder rejected stops a load before the kernel would see it, as in kmod: no
 * line of the kernel's, the decoder's words for the command to give.
 */
final class Failed extends Exception {
    final int errno;
    final List<String> lines;
    private final DecoderError decoderError;

    private Failed(int errno, List<String> lines, DecoderError decoderError) {
        super(null, null, false, false);
        this.errno = errno;
        this.lines = List.copyOf(lines);
        this.decoderError = decoderError;
    }

    Failed(int errno, List<String> lines) {
        this(errno, lines, null);
    }

    Failed(int errno, String line) {
        this(errno, List.of(line));
    }

    Failed(int errno) {
        this(errno, List.of());
    }

    Failed(DecoderError error) {
        this(LinuxErrno.EINVAL, List.of(), error);
    }

    /** The load's answer to the command. */
    Insertion insertion() {
        return decoderError != null ? new Insertion.Undecodable(decoderError) : Insertion.of(errno);
    }
}
