package modtools.cli.modinfo;

import java.util.Optional;
import modtools.cli.Errno;
import modtools.deps.LibkmodMessage;

/**
 * kmod_module_get_info() failed: the errno kmod would report, our own fuller reason, and what
 * libkmod logged on the way (a decoder's complaint), if anything.
 */
final class InfoUnavailable extends Exception {
    private final Errno errno;
    private final LibkmodMessage logged;

    InfoUnavailable(Errno errno, String detail) {
        this(errno, detail, null);
    }

    InfoUnavailable(Errno errno, String detail, LibkmodMessage logged) {
        super(detail, null, false, false);
        this.errno = errno;
        this.logged = logged;
    }

    Errno errno() {
        return errno;
    }

    Optional<LibkmodMessage> logged() {
        return Optional.ofNullable(logged);
    }
}
