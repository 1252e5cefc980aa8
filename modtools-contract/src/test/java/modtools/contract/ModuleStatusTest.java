package modtools.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModuleStatusTest {
    @Test
    void statusReadsBackAsItWasWritten() {
        ModuleStatus live = new ModuleStatus(ModuleState.LIVE, 0x40001000L, 16384);
        assertEquals("live\n0x0000000040001000\n16384\n", live.text());
        assertEquals(Optional.of(live), ModuleStatus.parse(live.text()));
        assertEquals("module live 0x0000000040001000 16384\n", live.listing("module"));
    }

    @Test
    void textThatIsNoStatusIsNone() {
        assertTrue(ModuleStatus.parse("").isEmpty());
        assertTrue(ModuleStatus.parse("sleeping\n0x0\n1\n").isEmpty());
        assertTrue(ModuleStatus.parse("live\n4096\n1\n").isEmpty());
        assertTrue(ModuleStatus.parse("live\n0xzz\n1\n").isEmpty());
    }

    @Test
    void verbsAreOneWordAndAFile() {
        assertEquals("map module", ControlVerb.MAP.command("module"));
        assertEquals(Optional.of(ControlVerb.EXIT), ControlVerb.of("exit"));
        assertTrue(ControlVerb.of("EXIT").isEmpty());
    }
}
