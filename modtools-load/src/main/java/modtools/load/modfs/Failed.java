package modtools.load.modfs;

import java.util.List;
import modtools.deps.resolve.Insertion;
import modtools.deps.resolve.LinuxErrno;
import modtools.elf.module.DecoderError;

/**
 * A load or removal that stopped, with the kernel's errno and what the kernel would log about
 * it, a line each (none when it was said already); the chain logs the lines where it undoes.
 * A file its decoder rejected stops a load before the kernel would see it, as in kmod: no
 * line of the kernel's, the decoder's words for the command to give. A load that gave up
 * waiting for init is not undone.
 */
final class Failed extends Exception {
    final int errno;
    final List<String> lines;
    /** Whether the chain takes back what the load made (all but a load that gave up waiting). */
    final boolean undo;
    private final DecoderError decoderError;

    private Failed(int errno, List<String> lines, DecoderError decoderError, boolean undo) {
        super(null, null, false, false);
        this.errno = errno;
        this.lines = List.copyOf(lines);
        this.decoderError = decoderError;
        this.undo = undo;
    }

    Failed(int errno, List<String> lines) {
        this(errno, lines, null, true);
    }

    Failed(int errno, String line) {
        this(errno, List.of(line));
    }

    Failed(int errno) {
        this(errno, List.of());
    }

    Failed(DecoderError error) {
        this(LinuxErrno.EINVAL, List.of(), error, true);
    }

    /**
     * A load that stopped waiting while the module's code still runs: nothing can be taken
     * back then (init runs on, the module's memory is its own), so the chain leaves what is
     * there as a killed loader leaves it, for the next load or rmmod to find.
     */
    static Failed gaveUp(int errno) {
        return new Failed(errno, List.of(), null, false);
    }

    /** The load's answer to the command. */
    Insertion insertion() {
        return decoderError != null ? new Insertion.Undecodable(decoderError) : Insertion.of(errno);
    }
}
