package modtools.load.modfs;

import java.util.List;

/**
 * A load or removal that stopped, with the kernel's errno and what the kernel would log about
 * it, a line each (none when it was said already); the chain logs the lines where it undoes.
 */
final class Failed extends Exception {
    final int errno;
    final List<String> lines;

    Failed(int errno, List<String> lines) {
        super(null, null, false, false);
        this.errno = errno;
        this.lines = List.copyOf(lines);
    }

    Failed(int errno, String line) {
        this(errno, List.of(line));
    }

    Failed(int errno) {
        this(errno, List.of());
    }
}
