package modtools.cli.modprobe;

import java.util.LinkedHashMap;
import java.util.Map;
import modtools.load.info.MiniJson;

/**
 * A step modprobe shows with -D, -n or -v: kmod's text line, or with {@code --json} the same
 * step as one JSON object per line, {@code step} and {@code module} first, so that a program can
 * read a plan without parsing options out of a line that may hold any text. kmod's line is the
 * step's word and then its fields' values, or the module's name for a step without fields.
 */
record ShownStep(String step, String module, Map<String, String> fields) {
    static ShownStep insmod(String module, String path, String options) {
        return new ShownStep("insmod", module, fields("path", path, "options", options));
    }

    static ShownStep install(String module, String command, String options) {
        return new ShownStep("install", module, fields("command", command, "options", options));
    }

    static ShownStep builtin(String module) {
        return new ShownStep("builtin", module, Map.of());
    }

    static ShownStep rmmod(String module) {
        return new ShownStep("rmmod", module, Map.of());
    }

    static ShownStep remove(String module, String command) {
        return new ShownStep("remove", module, Map.of("command", command));
    }

    /** kmod's line, newline included. */
    String text() {
        return step + " " + (fields.isEmpty() ? module : String.join(" ", fields.values())) + "\n";
    }

    String json() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("step", step);
        object.put("module", module);
        object.putAll(fields);
        return MiniJson.write(object) + "\n";
    }

    private static Map<String, String> fields(String key1, String value1, String key2, String value2) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(key1, value1);
        fields.put(key2, value2);
        return fields;
    }
}
