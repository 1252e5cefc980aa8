package modtools.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import modtools.link.ImageFile;

/**
 * The entry point of the one run after a build from which bin/modtools makes the class-data
 * sharing archive: the JVM lists the classes the run loads (-XX:DumpLoadedClassList) and the
 * archive is dumped from that list. So this first loads, without initialising, every class of
 * the jar that a command may need (all but the {@code --json} library's), then runs the
 * command exactly as {@link Main} does. Later starts then find a signed or compressed
 * module's classes in the archive even when this first command was {@code --help} or a typo.
 * JNA is started too (the modfs backend's system calls), so that the JDK classes its start
 * needs (logging, among others) are in the archive for every command that loads or removes.
 */
public final class CdsTraining {
    private static final String[] PACKAGES = {"modtools/", "picocli/", "org/bouncycastle/", "org/tukaani/", "io/airlift/",
        "com/sun/jna/"};

    private CdsTraining() {}

    public static void main(String[] args) {
        preload();
        modtools.load.modfs.ModfsBackend.warmUp();
        rehearse();
        Main.main(args);
    }

    /**
     * Runs depmod and link once on inputs of their own in a temporary directory, output
     * discarded, so that the JDK classes they use (mapped files, directory streams, threads,
     * renames) enter the archive whichever command came first after the build: an archive made
     * by a --help misses them, and a link then loads some 180 classes from the JDK's image.
     */
    private static void rehearse() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("modtools-cds");
            Path jar = Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path modules = Files.createDirectories(dir.resolve("lib/modules/0.0.0"));
            Files.createSymbolicLink(modules.resolve("training.ko"), jar); // read, and refused as no ELF object
            Path symbols = Files.writeString(dir.resolve("symbols"), "0000000000001000 T training\n");
            // twice: the first writes the fact cache, the second reads it
            Map<String, String> cache = Map.of("MODTOOLS_CACHE_DIR", dir.resolve("cache").toString());
            rehearse("depmod", List.of("-b", dir.toString(), "0.0.0"), dir, cache);
            rehearse("depmod", List.of("-b", dir.toString(), "0.0.0"), dir, cache);
            rehearse("link", List.of(jar.toString(), "--base", "0x100000", "--symbols", symbols.toString(),
                    "-o", dir.resolve("image").toString()), dir, Map.of());
            new ImageFile(dir.resolve("image")).allocate(4096).put(0, (byte) 1);
        } catch (Exception e) {
            // Whatever could not be rehearsed is simply not in the archive.
        } finally {
            if (dir != null) {
                delete(dir);
            }
        }
    }

    private static void rehearse(String command, List<String> args, Path cwd, Map<String, String> environment) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.ISO_8859_1);
        Main.run(command, new Invocation(command, command, args, discard, discard, cwd, "0.0.0", environment));
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is the system's to clean
        }
    }

    private static void preload() {
        ClassLoader loader = CdsTraining.class.getClassLoader();
        try (JarFile jar = new JarFile(new File(CdsTraining.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()))) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && wanted(name) && !name.endsWith("-info.class")) {
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        // Not loadable here: the archive simply goes without it.
                    }
                }
            }
        } catch (Exception e) {
            // No jar to read (classes run from a directory): the archive holds what the command loads.
        }
    }

    private static boolean wanted(String name) {
        for (String p : PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
