package modtools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import modtools.testkit.Processes;

/** GNU nm as an independent reader of module symbols, for building test inputs. */
final class Nm {
    private Nm() {}

    /** Symbols any of the files leaves undefined. */
    static Set<String> undefined(List<String> files) {
        return names(files, "--undefined-only", "");
    }

    /** Symbols any of the files exports: each export has a __ksymtab_NAME entry. */
    static Set<String> exported(List<String> files) {
        Set<String> out = new TreeSet<>();
        for (String n : names(files, "--defined-only", "__ksymtab_")) {
            if (!n.equals("strings")) {
                out.add(n);
            }
        }
        return out;
    }

    private static Set<String> names(List<String> files, String filter, String prefix) {
        List<String> command = new ArrayList<>(List.of("nm", "-A", filter, "--format=posix"));
        command.addAll(files);
        Processes.Result r = Processes.run(command);
        Set<String> out = new TreeSet<>();
        for (String line : r.stdoutText().split("\n")) {
            // "file: name type [value size]"
            int colon = line.indexOf(": ");
            if (colon < 0) {
                continue;
            }
            String rest = line.substring(colon + 2);
            int space = rest.indexOf(' ');
            String name = space < 0 ? rest : rest.substring(0, space);
            if (name.startsWith(prefix)) {
                out.add(name.substring(prefix.length()));
            }
        }
        return out;
    }
}
