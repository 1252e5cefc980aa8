package modtools.cli.modfs;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs modtools again in a new JVM: this JVM's java, class path and
 * options (the launcher's class-data archive and JIT flags among them), read from
 * /proc/self/cmdline since Java has no portable view of them without loading JMX.
 */
final class JavaCommand {
    private JavaCommand() {}

    /** modtools with {@code args}, its JVM given {@code options} besides this one's. */
    static List<String> of(List<String> options, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedOptions());
        command.addAll(options);
        command.add("-Dmodtools.argv0=modtools");
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add("modtools.cli.Main");
        command.addAll(args);
        return command;
    }

    /** The class path with every entry absolute: the new JVM runs in /, not in our directory. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * JVM options before the main class, less the class path, the name we were called by, and
     * the training run's class list (which only the launcher's first run after a build writes).
     */
    private static List<String> inheritedOptions() {
        List<String> options = new ArrayList<>();
        String[] argv;
        try {
            argv = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.ISO_8859_1).split("\0");
        } catch (IOException e) {
            return options;
        }
        for (int i = 1; i < argv.length && argv[i].startsWith("-"); i++) {
            String a = argv[i];
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.equals("-jar")) {
                if (a.equals("-jar")) {
                    break;
                }
                i++;
            } else if (!a.startsWith("-Dmodtools.argv0=") && !a.startsWith("-XX:DumpLoadedClassList=")) {
                options.add(a);
            }
        }
        return options;
    }
}
