package modtools.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The symbol file readers: kallsyms with module tags, a System.map with locals, a list built in code. */
class SymbolMapsTest {
    @TempDir
    Path dir;

    @Test
    void kallsymsWithModuleTags() throws Exception {
        Path f = dir.resolve("kallsyms");
        Files.writeString(f, """
                ffffffff81000000 T _stext
                ffffffff81001000 t local_helper
                ffffffff82000000 D jiffies
                ffffffffc0a01000 T crc32c_update\t[libcrc32c]
                ffffffffc0a02000 t crc32c_local\t[libcrc32c]
                0000000000000000 U undefined_here
                """);
        SymbolMap map = SymbolMaps.readSymbols(f);
        assertEquals(new Definition("_stext", 0xffffffff81000000L, true, new Provider.Host(f.toString())), map.find("_stext"));
        assertEquals(new Definition("jiffies", 0xffffffff82000000L, false, new Provider.Host(f.toString())), map.find("jiffies"));
        assertEquals(new Definition("crc32c_update", 0xffffffffc0a01000L, true, new Provider.Module("libcrc32c")),
                map.find("crc32c_update"));
        assertNull(map.find("local_helper"), "local symbols resolve nothing");
        assertNull(map.find("crc32c_local"));
        assertNull(map.find("undefined_here"));
        assertEquals(3, map.size());
    }

    @Test
    void systemMapFirstDefinitionWins() throws Exception {
        Path f = dir.resolve("System.map");
        Files.writeString(f, "ffffffff81000000 T printk\nffffffff81000100 W printk\nffffffff81000200 R rodata_thing\n");
        SymbolMap map = SymbolMaps.readSystemMap(f);
        assertEquals(0xffffffff81000000L, map.find("printk").address());
        assertEquals(false, map.find("rodata_thing").function());
    }

    @Test
    void moduleExportsAsAList() {
        SymbolMap host = new SymbolMap.Builder().define("modfs_log", 0x7f0000001000L, true, new Provider.Host("symbols")).build();
        SymbolMap map = new SymbolMap.Builder().addAll(host)
                .define("demo_lib_add", 0x50001000L, true, new Provider.Module("modfs_demo_lib"))
                .define("modfs_log", 0x50002000L, true, new Provider.Module("impostor"))
                .build();
        assertEquals(new Provider.Module("modfs_demo_lib"), map.find("demo_lib_add").provider());
        assertEquals(new Provider.Host("symbols"), map.find("modfs_log").provider(), "a module cannot shadow the host");
    }

    @Test
    void badLinesNameFileAndLine() throws Exception {
        Path f = dir.resolve("bad");
        Files.writeString(f, "ffffffff81000000 T ok\nffffffff8100zz00 T bad\n");
        LinkException e = assertThrows(LinkException.class, () -> SymbolMaps.readSymbols(f));
        assertEquals(f + ":2: address is not 1 to 16 hex digits", e.getMessage());
        Files.writeString(f, "ffffffff81000000 T name\ttrailing\n");
        e = assertThrows(LinkException.class, () -> SymbolMaps.readSymbols(f));
        assertEquals(f + ":1: expected '[module]' after the tab", e.getMessage());
    }
}
