package modtools.modfs.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The log's lines, timestamps and bound. */
class HostLogTest {
    private static String all(HostLog log) {
        return new String(log.read(0, (int) log.length()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyLineGetsATimestamp() {
        HostLog log = new HostLog();
        log.add("one\ntwo\n");
        log.add("three");
        String text = all(log);
        assertTrue(text.matches("\\[ *\\d+\\.\\d{6}\\] one\n\\[ *\\d+\\.\\d{6}\\] two\n\\[ *\\d+\\.\\d{6}\\] three\n"),
                text);
    }

    @Test
    void readsPastTheEndAreEmpty() {
        HostLog log = new HostLog();
        log.add("x");
        assertEquals(0, log.read(log.length(), 10).length);
        assertEquals(0, log.read(-1, 10).length);
    }

    @Test
    void theOldestWholeLinesGoPastTheLimit() {
        HostLog log = new HostLog();
        String line = "y".repeat(999);
        for (int i = 0; i < 3 * HostLog.LIMIT / 1000; i++) {
            log.add(i + " " + line);
        }
        assertTrue(log.length() <= HostLog.LIMIT, "length " + log.length());
        String text = all(log);
        assertTrue(text.startsWith("["), "starts with a whole line: " + text.substring(0, 40));
        assertTrue(text.endsWith(" " + line + "\n"));
    }
}
