package modtools.modfs.fs;

import modtools.contract.ControlVerb;
import modtools.modfs.fuse.Errno;
import modtools.modfs.fuse.Outcome;

/** One write to {@code control}: a verb and the module file it applies to, such as {@code map module}. */
record ControlCommand(ControlVerb verb, String file) {

    /** The command in one write; a trailing newline (echo's) is allowed, anything more is EINVAL. */
    static Outcome<ControlCommand> parse(String text) {
        String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] words = line.split(" ", -1);
        if (words.length != 2 || words[1].isEmpty() || words[1].contains("/") || line.contains("\n")) {
            return Outcome.failed(Errno.EINVAL, "not a command: '" + line + "' (map, unmap, init or exit, and a file)");
        }
        return ControlVerb.of(words[0]).map(verb -> Outcome.done(new ControlCommand(verb, words[1])))
                .orElseGet(() -> Outcome.failed(Errno.EINVAL, "unknown command '" + words[0] + "'"));
    }
}
