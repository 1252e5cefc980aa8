package modtools.load.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import modtools.contract.ModuleSymbols;
import modtools.contract.Symbolizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnloadedSymbolsTest {
    @TempDir
    Path dir;

    private static ModuleSymbols module(int i) {
        return new ModuleSymbols("m" + i, List.of(new ModuleSymbols.Entry(0x40000000L + 0x1000L * i, 0x20, 't', "f" + i)));
    }

    @Test
    void theLast64AreKeptMostRecentFirst() throws IOException {
        UnloadedSymbols store = new UnloadedSymbols(dir);
        Instant t = Instant.parse("2026-12-02T10:00:00Z");
        for (int i = 0; i < 70; i++) {
            store.record(module(i), t.plusSeconds(i));
        }
        List<UnloadedSymbols.Unloaded> all = store.all();
        assertEquals(UnloadedSymbols.KEPT, all.size());
        assertEquals(module(69), all.get(0).symbols());
        assertEquals(t.plusSeconds(69), all.get(0).when());
        assertEquals(module(6), all.get(63).symbols());
    }

    @Test
    void anAddressIsNamedByTheModuleItLayIn() throws IOException {
        UnloadedSymbols store = new UnloadedSymbols(dir);
        store.record(module(1), Instant.parse("2026-12-02T10:00:00Z"));
        Symbolizer s = new Symbolizer(List.of(new Symbolizer.Known(store.all().get(0).symbols(),
                "unloaded " + store.all().get(0).when())));
        assertEquals(Optional.of("f1+0x1f/0x20 [m1, unloaded 2026-12-02T10:00:00Z]"), s.describe(0x4000101fL));
        assertEquals(Optional.empty(), s.describe(0x40001020L));
    }
}
