package modtools.cli.modinfo;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import modtools.elf.module.ModInfoEntry;

/**
 * One JSON object per module and line: name, filename, whether built in, the entries in
 * kmod's order, and the parameters merged from parm/parmtype. Non-ASCII is escaped, so the
 * output is plain ASCII whatever the module's bytes were.
 */
final class JsonOutput implements Output {
    private final PrintStream out;
    private final ObjectMapper mapper = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private ObjectNode current;

    JsonOutput(PrintStream out) {
        this.out = out;
    }

    @Override
    public boolean header(Target target, String filename) {
        current = mapper.createObjectNode();
        current.put("name", text(target.name()));
        current.put("filename", text(filename));
        current.put("builtin", target instanceof Target.Builtin);
        return true;
    }

    @Override
    public void entries(Target target, List<ModInfoEntry> entries) {
        ArrayNode fields = current.putArray("fields");
        Map<String, ObjectNode> params = new LinkedHashMap<>();
        for (ModInfoEntry e : entries) {
            fields.addObject().put("key", text(e.key())).put("value", text(e.value()));
            boolean description = e.key().equals("parm");
            if (!description && !e.key().equals("parmtype")) {
                continue;
            }
            int colon = e.value().indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = text(e.value().substring(0, colon));
            ObjectNode p = params.computeIfAbsent(name, n -> mapper.createObjectNode().put("name", n));
            p.put(description ? "description" : "type", text(e.value().substring(colon + 1)));
        }
        current.putArray("parameters").addAll(params.values());
        emit();
    }

    @Override
    public void failed(Target target, InfoUnavailable reason) {
        current.put("error", text(reason.getMessage()));
        current.put("errno", reason.errno().name());
        emit();
    }

    @Override
    public void finish() {
    }

    private void emit() {
        try {
            out.print(mapper.writeValueAsString(current));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.print('\n');
        current = null;
    }

    /** Our strings carry the module's bytes one per char; JSON wants the UTF-8 text they spell. */
    private static String text(String bytes) {
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
