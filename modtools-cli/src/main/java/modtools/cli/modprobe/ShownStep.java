package modtools.cli.modprobe;

import java.util.LinkedHashMap;
import java.util.Map;
import modtools.load.info.MiniJson;

/**
 * A step modprobe shows with -D, -n or -v: kmod's text line, or with {@code --json} the same
 * step as one JSON object per line, {@code step} and {@code module} first, so that a program can
 * read a plan without parsing options out of a line that may hold any text.
 */
sealed interface ShownStep {
    String module();

    /** kmod's line, newline included. */
    String text();

    /** The fields after {@code step} and {@code module}, in order. */
    Map<String, Object> fields();

    String step();

    default String json() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("step", step());
        object.put("module", module());
        object.putAll(fields());
        return MiniJson.write(object) + "\n";
    }

    record Insmod(String module, String path, String options) implements ShownStep {
        public String step() {
            return "insmod";
        }

        public String text() {
            return "insmod " + path + " " + options + "\n";
        }

        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("path", path);
            fields.put("options", options);
            return fields;
        }
    }

    record Install(String module, String command, String options) implements ShownStep {
        public String step() {
            return "install";
        }

        public String text() {
            return "install " + command + " " + options + "\n";
        }

        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("command", command);
            fields.put("options", options);
            return fields;
        }
    }

    record Builtin(String module) implements ShownStep {
        public String step() {
            return "builtin";
        }

        public String text() {
            return "builtin " + module + "\n";
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    record Rmmod(String module) implements ShownStep {
        public String step() {
            return "rmmod";
        }

        public String text() {
            return "rmmod " + module + "\n";
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    record Remove(String module, String command) implements ShownStep {
        public String step() {
            return "remove";
        }

        public String text() {
            return "remove " + command + "\n";
        }

        public Map<String, Object> fields() {
            return Map.of("command", command);
        }
    }
}
