package modtools.deps.resolve;

/**
 * Runs an install or remove command as system(3) does, with {@code MODPROBE_MODULE} set to
 * the module's name. Answers the exit status, or -1 when the shell could not be run.
 */
public interface CommandRunner {
    int run(String command, String module);
}
