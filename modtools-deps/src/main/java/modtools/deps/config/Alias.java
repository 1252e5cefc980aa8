package modtools.deps.config;

/** {@code alias PATTERN MODULE}: a name matching the fnmatch pattern stands for the module. */
public record Alias(String pattern, String module) {}
