package modtools.load.modfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameters as the kernel parses them, set in an image in memory: no mount, no module. */
class ParametersTest {
    private static final long BASE = 0x40000000L;
    private final List<String> log = new ArrayList<>();

    private Parameters on(byte[] image) {
        return new Parameters("m", image, BASE, log::add, StandardCharsets.UTF_8);
    }

    @Test
    void argumentsSplitAsNextArgSplitsThem() {
        assertEquals(List.of(new Parameters.Arg("a", "1"), new Parameters.Arg("b", "two words"),
                new Parameters.Arg("flag", null), new Parameters.Arg("c", "")),
                Parameters.split("  a=1 b=\"two words\"\tflag c= -- ignored=1"));
        assertEquals(List.of(new Parameters.Arg("q", "x y")), Parameters.split("\"q=x y\""));
    }

    @Test
    void numbersAsKstrtoullReadsThem() {
        assertEquals(255, Parameters.strtoull("0xff"));
        assertEquals(8, Parameters.strtoull("010"));
        assertEquals(7, Parameters.strtoull("+7\n"));
        assertEquals(-5, Parameters.strtoll("-5"));
        assertThrows(NumberFormatException.class, () -> Parameters.strtoull("7x"));
        assertThrows(NumberFormatException.class, () -> Parameters.strtoull("-1"));
        assertThrows(NumberFormatException.class, () -> Parameters.strtoull("18446744073709551616"));
        assertEquals(1, Parameters.strtobool("on"));
        assertEquals(0, Parameters.strtobool("N"));
        assertEquals(-1, Parameters.strtobool("maybe"));
        assertEquals(true, Parameters.sameName("max-count", "max_count"));
    }

    @Test
    void parmtypeParametersAreTheirGlobalVariables() throws Parameters.Refused {
        byte[] image = new byte[64];
        Map<String, String> declared = new LinkedHashMap<>();
        declared.put("count", "int");
        declared.put("verbose", "bool");
        declared.put("mask", "hexint");
        Parameters p = on(image);
        List<Parameters.Param> table = p.declared(declared, Map.of("count", BASE + 16, "verbose", BASE + 20,
                "mask", BASE + 24));
        assertEquals(List.of("count", "verbose", "mask"), p.apply(table, Parameters.split("count=-3 verbose mask=0x10")));
        ByteBuffer view = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(-3, view.getInt(16));
        assertEquals(1, image[20]);
        assertEquals(List.of("-3", "Y", "0x000010"), table.stream().map(q -> {
            try {
                return p.show(q);
            } catch (Parameters.Refused e) {
                throw new AssertionError(e);
            }
        }).toList());
    }

    @Test
    void badValuesAndUnknownNamesAreTheKernelsLines() throws Parameters.Refused {
        byte[] image = new byte[64];
        Parameters p = on(image);
        List<Parameters.Param> table = p.declared(Map.of("small", "byte"), Map.of("small", BASE + 8));
        assertEquals(List.of(), p.apply(table, Parameters.split("other=1")));
        assertEquals(List.of("m: unknown parameter 'other' ignored"), log);
        Parameters.Refused r = assertThrows(Parameters.Refused.class, () -> p.apply(table, Parameters.split("small=256")));
        assertEquals(22, r.errno);
        assertEquals("m: `256' invalid for parameter `small'", log.get(1));
    }

    @Test
    void aDeclarationWithoutItsVariableOrOfAnUnknownTypeIsRefused() {
        Parameters p = on(new byte[64]);
        assertThrows(Parameters.Refused.class, () -> p.declared(Map.of("x", "int"), Map.of()));
        assertThrows(Parameters.Refused.class, () -> p.declared(Map.of("x", "float"), Map.of("x", BASE)));
        assertThrows(Parameters.Refused.class, () -> p.declared(Map.of("x", "charp"), Map.of("x", BASE)));
        assertThrows(Parameters.Refused.class, () -> p.declared(Map.of("x", "int"), Map.of("x", BASE + 62)));
        assertEquals(4, log.size());
    }
}
