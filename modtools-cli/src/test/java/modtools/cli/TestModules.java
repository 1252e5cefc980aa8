package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import modtools.testkit.Processes;

/** Minimal kernel-module objects compiled by gcc: one exported function, optionally one import. */
final class TestModules {
    private TestModules() {}

    /** Compiles {@code NAME.ko} into {@code dir}: it exports {@code export} and calls {@code imported} when given. */
    static Path compile(Path dir, String name, String export, String imported) throws IOException {
        String body = imported == null ? "return 1;" : "return " + imported + "() + 1;";
        String source = (imported == null ? "" : "extern int " + imported + "(void);\n")
                + "int " + export + "(void) { " + body + " }\n"
                + "static const char kstrtab[] __attribute__((section(\"__ksymtab_strings\"), used)) = \"" + export + "\";\n"
                + "static const char modname[] __attribute__((section(\".modinfo\"), used)) = \"name=" + name + "\";\n"
                + "static const char license[] __attribute__((section(\".modinfo\"), used)) = \"license=GPL\";\n";
        Path c = Files.writeString(dir.resolve(name + ".c"), source);
        Path ko = dir.resolve(name + ".ko");
        Processes.Result r = Processes.run(List.of("gcc", "-c", "-O2", "-fno-pic", "-o", ko.toString(), c.toString()));
        assertEquals(0, r.status(), "gcc: " + r.stderrText());
        Files.delete(c);
        return ko;
    }
}
