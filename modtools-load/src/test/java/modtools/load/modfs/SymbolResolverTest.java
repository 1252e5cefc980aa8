package modtools.load.modfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import modtools.elf.module.Import;
import modtools.load.info.ModuleInfo;
import org.junit.jupiter.api.Test;

/** The resolution rules on their own, no mount: what links against what, and what is refused. */
class SymbolResolverTest {
    private static final Set<String> HOST = Set.of("modfs_log", "memcpy");

    private static ModuleInfo exporting(String name, List<ModuleInfo.Export> exports) {
        return new ModuleInfo(name, "/x/" + name + ".ko", List.of("/x/" + name + ".ko"), "GPL", 0x40000000L, 8192,
                4096, 0, 0, List.of(), exports, List.of(), 1);
    }

    private static SymbolResolver withLib() {
        SymbolResolver r = new SymbolResolver(HOST::contains);
        r.loaded("lib", exporting("lib", List.of(new ModuleInfo.Export("lib_add", 0x40001000L, true, false),
                new ModuleInfo.Export("lib_secret", 0x40001010L, true, true))));
        return r;
    }

    private static Import strong(String symbol) {
        return new Import(symbol, false, 0);
    }

    @Test
    void hostFirstThenLoadedModulesInFirstUseOrder() throws Failed {
        SymbolResolver r = withLib();
        r.loaded("other", exporting("other", List.of(new ModuleInfo.Export("other_f", 0x40010000L, true, false))));
        SymbolResolver.Plan plan = r.plan("m", "GPL", List.of(),
                List.of(strong("modfs_log"), strong("other_f"), strong("lib_add"), strong("lib_secret")));
        assertEquals(List.of("other", "lib"), plan.dependencies());
        assertEquals(Map.of("other", List.of("other_f"), "lib", List.of("lib_add", "lib_secret")), plan.providers());
        assertEquals(List.of(), plan.unknown());
    }

    @Test
    void gplOnlyExportsAreUnknownToOtherLicenses() throws Failed {
        SymbolResolver.Plan plan = withLib().plan("m", "Proprietary", List.of(),
                List.of(strong("lib_add"), strong("lib_secret")));
        assertEquals(List.of("lib_secret"), plan.unknown());
        assertEquals(List.of("lib"), plan.dependencies());
        for (String license : List.of("GPL", "GPL v2", "Dual MIT/GPL", "Dual BSD/GPL")) {
            assertEquals(List.of(), withLib().plan("m", license, List.of(), List.of(strong("lib_secret"))).unknown(),
                    license);
        }
    }

    @Test
    void aWeakImportNobodyExportsIsNoError() throws Failed {
        SymbolResolver.Plan plan = withLib().plan("m", "GPL", List.of(),
                List.of(new Import("maybe_there", true, 0), strong("nowhere")));
        assertEquals(List.of("nowhere"), plan.unknown());
    }

    @Test
    void exportingANameTakenIsRefusedNamingItsOwner() {
        Failed byModule = assertThrows(Failed.class, () -> withLib().plan("m", "GPL", List.of("lib_add"), List.of()));
        assertEquals(List.of("m: exports duplicate symbol lib_add (owned by lib)"), byModule.lines);
        Failed byHost = assertThrows(Failed.class, () -> withLib().plan("m", "GPL", List.of("memcpy"), List.of()));
        assertEquals(List.of("m: exports duplicate symbol memcpy (owned by kernel)"), byHost.lines);
        assertEquals(8, byHost.errno);
    }

    @Test
    void unknownSymbolsAreTheKernelsLinesOnceEach() {
        Failed f = SymbolResolver.unknownSymbols("m", List.of("a", "b", "a"));
        assertEquals(List.of("m: Unknown symbol a (err -2)", "m: Unknown symbol b (err -2)"), f.lines);
        assertEquals(2, f.errno);
    }
}
