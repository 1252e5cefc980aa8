package modtools.elf.module;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The real corpus, external tools and the system's modinfo, for the tests of this package. */
final class ModuleTestSupport {
    private static List<Path> corpusModules;

    private ModuleTestSupport() {
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static Path projectRoot() {
        String property = System.getProperty("modtools.root");
        if (property != null && !property.isBlank() && Files.isRegularFile(Path.of(property, "scripts", "fetch-corpus"))) {
            return Path.of(property).toAbsolutePath();
        }
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts").resolve("fetch-corpus"))) {
                return p;
            }
        }
        return fail("cannot find the project root (scripts/fetch-corpus): set -Dmodtools.root");
    }

    /** Every .ko of the Debian cloud kernel package, sorted by path. */
    static synchronized List<Path> corpusModules() {
        if (corpusModules == null) {
            Path root = projectRoot();
            Result r = run(root, List.of("bash", root.resolve("scripts/fetch-corpus").toString(), "cloud"));
            if (r.exit() != 0) {
                fail("scripts/fetch-corpus cloud failed (exit " + r.exit() + "):\n" + r.stderr());
            }
            String[] lines = r.stdout().strip().split("\n");
            Path modules = Path.of(lines[lines.length - 1].strip(), "lib", "modules");
            try (Stream<Path> walk = Files.walk(modules)) {
                corpusModules = walk.filter(p -> p.getFileName().toString().endsWith(".ko"))
                        .filter(Files::isRegularFile).sorted().collect(Collectors.toUnmodifiableList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return corpusModules;
    }

    /** Runs a command; output is read as ISO-8859-1 so every byte survives. */
    static Result run(Path dir, List<String> command) {
        try {
            Path out = Files.createTempFile("modtools-test", ".out");
            Path err = Files.createTempFile("modtools-test", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().put("LC_ALL", "C");
                Process p = pb.start();
                if (!p.waitFor(600, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("timed out: " + String.join(" ", command));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                        Files.readString(err, StandardCharsets.ISO_8859_1));
            } finally {
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            return fail("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted: " + String.join(" ", command));
        }
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
        Result r = run(dir, shell);
        if (r.exit() != 0) {
            fail(String.join(" ", command) + " failed: " + r.stderr());
        }
    }

    /**
     * What the system's modinfo lists for each file (absolute paths): the key=value entries of
     * {@code modinfo -0}, the last one winning per key; files modinfo could not read have none.
     */
    static Map<String, Map<String, String>> modinfo(List<Path> files) {
        List<String> command = new ArrayList<>(List.of(tool("modinfo", "kmod"), "-0"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        Result r = run(Path.of("/"), command);
        Map<String, Map<String, String>> byFile = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String record : r.stdout().split("\0")) {
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
        Result r = run(Path.of("/"), List.of(tool("modinfo", "kmod"), "-F", "vermagic", file.toAbsolutePath().toString()));
        if (r.exit() == 0) {
            return "ok";
        }
        String line = r.stderr().strip();
        return line.substring(line.lastIndexOf(": ") + 2);
    }
}
