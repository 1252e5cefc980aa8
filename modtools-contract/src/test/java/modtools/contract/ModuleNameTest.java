package modtools.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleNameTest {
    private static boolean valid(String name) {
        return ModuleName.problem(name.getBytes(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void eachKindOfBadNameIsRefused() {
        for (String bad : List.of("", ".", "..", "a/b", "/", "two words", "tab\t", "nl\n", "cr\r", "x".repeat(56),
                "é".repeat(28))) {
            assertTrue(!valid(bad), "'" + bad + "' was taken");
        }
        for (String good : List.of("dummy", "snd-hda-intel", "a.b", "...", ".hidden", "x".repeat(55))) {
            assertTrue(valid(good), "'" + good + "' was refused");
        }
        assertEquals("a module name is at most 55 bytes, not 56",
                ModuleName.problem("x".repeat(56).getBytes(StandardCharsets.UTF_8)).orElseThrow());
    }
}
