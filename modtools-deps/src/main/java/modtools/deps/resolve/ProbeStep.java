package modtools.deps.resolve;

import java.util.Optional;

/**
 * One module of a probe, in load order, with what modprobe will do for it. {@code required}
 * is false for modules brought in only as soft dependencies: their failures are ignored.
 */
public record ProbeStep(Module module, boolean required, Action action) {

    /** What loading the module means. */
    public sealed interface Action permits RunInstall, Insert {}

    /**
     * Run the configured install command instead of loading. {@code command} is as
     * configured; {@code $CMDLINE_OPTS} is replaced by the options only when it runs.
     */
    public record RunInstall(String command, String options) implements Action {
        public String expanded() {
            return command.replace("$CMDLINE_OPTS", options);
        }
    }

    /**
     * Load the module's file with the options. Without a file, the module is either built
     * in (nothing to do) or unknown (loading it fails).
     */
    public record Insert(Optional<String> path, boolean builtin, String options) implements Action {}
}
