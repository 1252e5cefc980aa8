package modtools.deps.config;

/**
 * {@code options MODULE OPTIONS}, or {@code module.param=value} from the kernel command line.
 * The text is kept as written (tabs become spaces, as kmod stores it).
 */
public record ModuleOptions(String module, String options) {}
