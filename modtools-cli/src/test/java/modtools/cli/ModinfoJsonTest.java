package modtools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import modtools.testkit.Corpus;
import modtools.testkit.Processes;
import org.junit.jupiter.api.Test;

/**
 * {@code --json} carries the same facts as kmod's report: rebuilt into kmod's {@code -0}
 * layout, our JSON must give back kmod's bytes exactly.
 */
class ModinfoJsonTest {
    @Test
    void jsonHoldsWhatKmodPrints() throws IOException {
        List<String> all = Corpus.modules(Corpus.cloud(), ".ko");
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 11) {
            sample.add(all.get(i));
        }
        List<String> command = new ArrayList<>(List.of("modinfo", "-0"));
        command.addAll(sample);
        Processes.Result kmod = Processes.run(command);

        List<String> args = new ArrayList<>(List.of("--json"));
        args.addAll(sample);
        Processes.Result ours = Tool.ours("modinfo", args);
        assertEquals(0, ours.status(), ours.stderrText());

        ObjectMapper mapper = new ObjectMapper();
        StringBuilder rebuilt = new StringBuilder();
        String[] lines = ours.stdoutText().split("\n");
        assertEquals(sample.size(), lines.length);
        for (String line : lines) {
            JsonNode module = mapper.readTree(line);
            rebuilt.append(String.format("%-16s%s", "filename:", module.get("filename").asText())).append('\0');
            for (JsonNode f : module.get("fields")) {
                String key = f.get("key").asText();
                if (!key.equals("parm") && !key.equals("parmtype")) {
                    rebuilt.append(key).append('=').append(f.get("value").asText()).append('\0');
                }
            }
            List<JsonNode> params = new ArrayList<>();
            module.get("parameters").forEach(params::add);
            for (int i = params.size() - 1; i >= 0; i--) {
                JsonNode p = params.get(i);
                String line2 = p.get("name").asText() + ":" + (p.has("description")
                        ? p.get("description").asText() + (p.has("type") ? " (" + p.get("type").asText() + ")" : "")
                        : p.get("type").asText());
                rebuilt.append(String.format("%-16s%s", "parm:", line2)).append('\0');
            }
        }
        String expected = new String(kmod.stdout(), StandardCharsets.UTF_8);
        ModinfoDifferentialTest.assertSameText(expected, rebuilt.toString(), "--json rebuilt as kmod's -0 output");
    }
}
