package modtools.cli.modinfo;

import modtools.cli.Errno;

/** kmod_module_get_info() failed: the errno kmod would report, and our own fuller reason. */
final class InfoUnavailable extends Exception {
    private final Errno errno;

    InfoUnavailable(Errno errno, String detail) {
        super(detail, null, false, false);
        this.errno = errno;
    }

    Errno errno() {
        return errno;
    }
}
