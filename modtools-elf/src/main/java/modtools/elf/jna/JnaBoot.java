package modtools.elf.jna;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Spares each command that calls JNA the two costs of JNA's first use that have nothing to do
 * with the call: unpacking its native library from the jar into a fresh temporary file (named
 * with a freshly seeded SecureRandom), and running {@code ldconfig -p} to learn the library
 * path. The library is unpacked once, next to the jar, into a directory named by JNA's native
 * version ({@code jna.boot.library.path}); the library path is the dynamic linker's default
 * directories ({@code jna.platform.library.path}). Anything already set by the user is left
 * alone, and where the jar's directory cannot be written JNA does as it always does. Measured on
 * insmod over modfs: about 60 of 140 ms. Here, below every user of JNA (the module decoders, the
 * modfs client, the Linux backend).
 */
public final class JnaBoot {
    private static final String LIBRARY = "libjnidispatch.so";

    private JnaBoot() {}

    /**
     * Binds {@code owner}'s native methods to {@code library} by JNA's direct mapping, after
     * {@link #prepare()}; false when the library cannot be loaded (the caller falls back).
     */
    public static boolean register(Class<?> owner, String library) {
        try {
            prepare();
            Native.register(owner, library);
            return true;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Call before JNA's first use; idempotent, and cheap once done. */
    public static void prepare() {
        if (!Platform.isLinux()) {
            return;
        }
        if (System.getProperty("jna.platform.library.path") == null) {
            String triple = switch (System.getProperty("os.arch", "")) {
                case "amd64", "x86_64" -> "x86_64-linux-gnu";
                case "aarch64" -> "aarch64-linux-gnu";
                default -> null;
            };
            String defaults = "/lib64:/usr/lib64:/lib:/usr/lib";
            System.setProperty("jna.platform.library.path",
                    triple == null ? defaults : "/lib/" + triple + ":/usr/lib/" + triple + ":" + defaults);
        }
        if (System.getProperty("jna.boot.library.path") != null || System.getProperty("jna.nounpack") != null) {
            return;
        }
        try {
            var source = JnaBoot.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return;
            }
            Path jar = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                return; // classes from a directory: tests and IDEs; JNA unpacks as usual
            }
            Path dir = jar.resolveSibling("jna-" + Native.VERSION_NATIVE + "-" + Platform.RESOURCE_PREFIX);
            Path library = dir.resolve(LIBRARY);
            if (!Files.isRegularFile(library)) {
                String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + LIBRARY;
                try (InputStream in = Native.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        return;
                    }
                    Files.createDirectories(dir);
                    Path tmp = Files.createTempFile(dir, LIBRARY, ".tmp");
                    try {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(tmp, library, StandardCopyOption.ATOMIC_MOVE);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
            System.setProperty("jna.boot.library.path", dir.toString());
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            // JNA unpacks its library itself, as without us
        }
    }
}
