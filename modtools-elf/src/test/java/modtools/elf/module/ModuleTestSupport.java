package modtools.elf.module;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;

/** The real corpus, external tools and the system's modinfo, for the tests of this package. */
final class ModuleTestSupport {
    private static List<Path> corpusModules;

    private ModuleTestSupport() {
    }

    /** Every .ko of the Debian cloud kernel package, sorted by path. */
    static synchronized List<Path> corpusModules() {
        if (corpusModules == null) {
            try {
                List<Path> modules = new ArrayList<>();
                for (String m : Corpus.modules(Corpus.cloud(), ".ko")) {
                    modules.add(Path.of(m));
                }
                corpusModules = List.copyOf(modules);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return corpusModules;
    }

    /** The parts one after another. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static Processes.Result run(Path dir, List<String> command) {
        return Processes.run(dir, command, 600);
    }

    /** The tool's path; fails (does not skip) when it is missing, naming the Debian package. */
    static String tool(String name, String debianPackage) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return fail("'" + name + "' is not installed; this test needs it (Debian package: " + debianPackage + ")");
    }

    static void compress(Path dir, Path output, String... command) {
        List<String> shell = List.of("sh", "-c", String.join(" ", command) + " > '" + output + "'");
        Processes.Result r = run(dir, shell);
        if (r.status() != 0) {
            fail(String.join(" ", command) + " failed: " + r.stderrText());
        }
    }

    /**
     * What the system's modinfo lists for each file (absolute paths): the key=value entries of
     * {@code modinfo -0}, the last one winning per key; files modinfo could not read have none.
     */
    static Map<String, Map<String, String>> modinfo(List<Path> files) {
        List<String> command = new ArrayList<>(List.of(tool("modinfo", "kmod"), "-0"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        Processes.Result r = run(Path.of("/"), command);
        Map<String, Map<String, String>> byFile = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String record : r.stdoutText().split("\0")) {
            if (record.startsWith("filename:")) {
                current = new HashMap<>();
                byFile.put(record.substring("filename:".length()).strip(), current);
            } else if (current != null && record.indexOf('=') > 0) {
                int eq = record.indexOf('=');
                current.put(record.substring(0, eq), record.substring(eq + 1));
            }
        }
        return byFile;
    }

    /** What modinfo makes of one file: its entries, or the errno text of its failure. */
    static String modinfoOutcome(Path file) {
        Processes.Result r = run(Path.of("/"), List.of(tool("modinfo", "kmod"), "-F", "vermagic", file.toAbsolutePath().toString()));
        if (r.status() == 0) {
            return "ok";
        }
        String line = r.stderrText().strip();
        return line.substring(line.lastIndexOf(": ") + 2);
    }
}
