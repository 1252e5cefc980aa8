package modtools.deps.config;

/**
 * The configuration half of {@code modprobe -c}: blacklists, install and remove commands,
 * aliases, options, softdeps and weakdeps, each kind in the order read, one directive a line.
 */
public final class ConfigDump {
    private ConfigDump() {}

    public static String render(ModprobeConfig config) {
        StringBuilder out = new StringBuilder();
        config.blacklist().forEach(m -> out.append("blacklist ").append(m).append('\n'));
        config.install().forEach(c -> line(out, "install", c.module(), c.command()));
        config.remove().forEach(c -> line(out, "remove", c.module(), c.command()));
        config.aliases().forEach(a -> line(out, "alias", a.pattern(), a.module()));
        config.options().forEach(o -> line(out, "options", o.module(), o.options()));
        config.softdeps().forEach(s -> line(out, "softdep", s.pattern(), s.shown()));
        config.weakdeps().forEach(w -> line(out, "weakdep", w.pattern(), w.shown()));
        return out.toString();
    }

    private static void line(StringBuilder out, String kind, String key, String value) {
        out.append(kind).append(' ').append(key).append(' ').append(value).append('\n');
    }
}
