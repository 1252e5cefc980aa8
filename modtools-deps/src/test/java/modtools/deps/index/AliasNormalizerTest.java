package modtools.deps.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AliasNormalizerTest {
    @Test
    void aliases() {
        assertEquals(Optional.of("fs_ext4"), AliasNormalizer.normalizeAlias("fs-ext4"));
        assertEquals(Optional.of("pci:v*d[0-9]_x"), AliasNormalizer.normalizeAlias("pci:v*d[0-9]-x"));
        assertEquals(Optional.of("a[-[-]_"), AliasNormalizer.normalizeAlias("a[-[-]-"));
        assertEquals(Optional.empty(), AliasNormalizer.normalizeAlias("a]b"));
        assertEquals(Optional.empty(), AliasNormalizer.normalizeAlias("a[b"));
        assertEquals(Optional.of("ab"), AliasNormalizer.normalizeAlias("ab\0c]"));
        assertEquals(Optional.of(""), AliasNormalizer.normalizeAlias(""));
        assertEquals(4095, AliasNormalizer.normalizeAlias("x".repeat(5000)).orElseThrow().length());
    }

    @Test
    void moduleNames() {
        assertEquals("snd_hda_intel", AliasNormalizer.normalizeModname("snd-hda-intel.ko.xz"));
        assertEquals("a_b", AliasNormalizer.normalizeModname("a-b"));
        assertEquals("", AliasNormalizer.normalizeModname(".ko"));
        assertEquals(Optional.of("ext4"), AliasNormalizer.modnameOfPath("kernel/fs/ext4/ext4.ko"));
        assertEquals(Optional.of("crc_t10dif"), AliasNormalizer.modnameOfPath("/abs/crc-t10dif.ko.zst"));
        assertEquals(Optional.empty(), AliasNormalizer.modnameOfPath("kernel/fs/"));
        assertEquals(Optional.empty(), AliasNormalizer.modnameOfPath(""));
    }
}
