package modtools.load.info;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import modtools.contract.ModuleStatus;

/**
 * What the loader records in a module's {@code info} once the module is live (docs/info-format.md;
 * the step "publish" of docs/loader.md), and what later loads, rmmod and lsmod read back: one
 * JSON object, version 1.
 *
 * <pre>
 * {"modfs_info":1,
 *  "name":"modfs_demo_mid",
 *  "source":"/lib/modules/1.0.0-modfs/extra/modfs_demo_mid.ko",
 *  "objects":["/lib/modules/1.0.0-modfs/extra/modfs_demo_mid.ko"],
 *  "license":"GPL",
 *  "base":"0x0000000040000000", "image_size":20480, "core_size":16384,
 *  "init":"0x0000000040004000", "exit":"0x0000000040001040",
 *  "dependencies":["modfs_demo_lib"],
 *  "exports":[{"name":"demo_mid_twice","address":"0x0000000040001000","function":true,"gpl":true}],
 *  "parameters":[{"name":"count","type":"int","perm":"0644","value":"5","given":true}],
 *  "loader_pid":1234}
 * </pre>
 *
 * {@code source} is the first object; {@code objects} every object the module was linked
 * from, in command-line order (a record without it has {@code source} alone).
 * Addresses are strings ({@code 0x} and 16 hex digits), since JSON numbers are doubles to many
 * readers. {@code dependencies} are the modules whose exports the image was linked against,
 * in the order first used; rmmod refuses a module that another module's info lists there.
 * {@code parameters} are every {@code module_param} of the module with the value it started
 * with, written the way Linux shows it under /sys/module/NAME/parameters, and whether it was
 * given on the command line. An info that is empty or does not read as this object belongs to
 * a module whose load has not finished (or was killed).
 */
public record ModuleInfo(String name, String source, List<String> objects, String license, long base, long imageSize, long coreSize, long init,
                  long exit, List<String> dependencies, List<Export> exports, List<Parameter> parameters,
                  long loaderPid) {
    public static final int VERSION = 1;

    public record Export(String name, long address, boolean function, boolean gpl) {}

    public record Parameter(String name, String type, int perm, String value, boolean given) {}

    public String toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("modfs_info", (long) VERSION);
        o.put("name", name);
        o.put("source", source);
        o.put("objects", new ArrayList<Object>(objects));
        o.put("license", license);
        o.put("base", ModuleStatus.hex(base));
        o.put("image_size", imageSize);
        o.put("core_size", coreSize);
        o.put("init", ModuleStatus.hex(init));
        o.put("exit", ModuleStatus.hex(exit));
        o.put("dependencies", new ArrayList<Object>(dependencies));
        List<Object> ex = new ArrayList<>();
        for (Export e : exports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("address", ModuleStatus.hex(e.address()));
            m.put("function", e.function());
            m.put("gpl", e.gpl());
            ex.add(m);
        }
        o.put("exports", ex);
        List<Object> ps = new ArrayList<>();
        for (Parameter p : parameters) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("type", p.type());
            m.put("perm", String.format("%04o", p.perm()));
            m.put("value", p.value());
            m.put("given", p.given());
            ps.add(m);
        }
        o.put("parameters", ps);
        o.put("loader_pid", loaderPid);
        return MiniJson.write(o) + "\n";
    }

    /** The info in {@code text}, or empty when it is not a complete version-1 record. */
    public static Optional<ModuleInfo> parse(String text) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            if (!(MiniJson.parse(text) instanceof Map<?, ?> o) || !Long.valueOf(VERSION).equals(o.get("modfs_info"))) {
                return Optional.empty();
            }
            List<String> objects = new ArrayList<>();
            for (Object d : o.containsKey("objects") ? list(o, "objects") : List.of(str(o, "source"))) {
                objects.add((String) d);
            }
            List<String> deps = new ArrayList<>();
            for (Object d : list(o, "dependencies")) {
                deps.add((String) d);
            }
            List<Export> exports = new ArrayList<>();
            for (Object e : list(o, "exports")) {
                Map<?, ?> m = (Map<?, ?>) e;
                exports.add(new Export(str(m, "name"), address(m, "address"), bool(m, "function"), bool(m, "gpl")));
            }
            List<Parameter> params = new ArrayList<>();
            for (Object p : list(o, "parameters")) {
                Map<?, ?> m = (Map<?, ?>) p;
                params.add(new Parameter(str(m, "name"), str(m, "type"), Integer.parseInt(str(m, "perm"), 8),
                        (String) m.get("value"), bool(m, "given")));
            }
            return Optional.of(new ModuleInfo(str(o, "name"), str(o, "source"), List.copyOf(objects),
                    (String) o.get("license"),
                    address(o, "base"), num(o, "image_size"), num(o, "core_size"), address(o, "init"),
                    address(o, "exit"), List.copyOf(deps), List.copyOf(exports), List.copyOf(params),
                    num(o, "loader_pid")));
        } catch (MiniJson.ParseException | ClassCastException | NullPointerException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static List<?> list(Map<?, ?> o, String key) {
        return (List<?>) java.util.Objects.requireNonNull(o.get(key));
    }

    private static String str(Map<?, ?> o, String key) {
        return (String) java.util.Objects.requireNonNull(o.get(key));
    }

    private static boolean bool(Map<?, ?> o, String key) {
        return (Boolean) java.util.Objects.requireNonNull(o.get(key));
    }

    private static long num(Map<?, ?> o, String key) {
        return (Long) java.util.Objects.requireNonNull(o.get(key));
    }

    private static long address(Map<?, ?> o, String key) {
        String s = str(o, key);
        if (!s.startsWith("0x")) {
            throw new NumberFormatException(s);
        }
        return Long.parseUnsignedLong(s.substring(2), 16);
    }

}
