package modtools.deps.config;

/** {@code install MODULE COMMAND} or {@code remove MODULE COMMAND}; MODULE is an fnmatch pattern. */
public record ModuleCommand(String module, String command) {}
