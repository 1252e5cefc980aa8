package modtools.cli;

/**
 * What {@code -V} prints: the kmod release whose behaviour the commands copy, and the
 * features in kmod's notation. Unlike Debian's kmod 30 we read gzip-compressed modules.
 */
public final class KmodVersion {
    public static final String TEXT = "kmod version 30\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n";

    private KmodVersion() {}
}
