package modtools.cli;

import modtools.deps.KmodLevel;

/**
 * What {@code -V} prints: the kmod release whose behaviour the commands copy, and our features
 * in that release's notation (kmod 34 names the signature support after OpenSSL and has no
 * experimental tools). Unlike Debian's kmod 30 we read gzip-compressed modules.
 */
public final class KmodVersion {
    private KmodVersion() {}

    public static String text(KmodLevel level) {
        String features = switch (level) {
            case KMOD30 -> "+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL";
            case KMOD34 -> "+ZSTD +XZ +ZLIB +OPENSSL";
        };
        return "kmod version " + level.release() + "\n" + features + "\n";
    }
}
