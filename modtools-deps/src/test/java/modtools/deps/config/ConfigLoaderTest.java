package modtools.deps.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;
import modtools.deps.cache.ReadCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration reader on kmod's corner cases; the expected values are what kmod 30's
 * {@code modprobe -c} printed for the same input (the CLI tests compare with kmod directly).
 */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private ConfigLoader.Loaded load(String conf, String cmdline) throws IOException {
        Files.write(dir.resolve("a.conf"), conf.getBytes(StandardCharsets.ISO_8859_1));
        Path kernel = dir.resolve("cmdline");
        Files.writeString(kernel, cmdline);
        return ConfigLoader.load(KmodLevel.KMOD30, dir.resolve("moddir").toString(), List.of(dir.toString()), kernel, dir, ReadCache.NONE);
    }

    @Test
    void softdepListsPrintAsBufferSpans() throws IOException {
        ModprobeConfig c = load("""
                softdep a pre: x y post: z w
                softdep b post: p pre: q r post: s
                softdep c  pre:   m\tn
                softdep d junk pre: k
                softdep e pre:
                """, "").config();
        assertEquals(List.of("pre: x ypost: z w", "pre: q rpost: p q r s", "", "pre: k", ""),
                c.softdeps().stream().map(Softdep::shown).toList());
        assertEquals(List.of("q", "r"), c.softdeps().get(1).pre());
        assertEquals(List.of("p", "s"), c.softdeps().get(1).post());
        assertEquals(List.of(), c.softdeps().get(2).pre());
    }

    @Test
    void wordsAndLines() throws IOException {
        ConfigLoader.Loaded loaded = load("options  g\t  x=1\t y=2 \nalias a-b c-d extra\nalias x[a-b]y m-n\n"
                + "blacklist k-l\nline\\\ncontinued\nalias a\\b c\\\\d\noptions x y=1\0 hidden\nalias tail mod\\", "");
        ModprobeConfig c = loaded.config();
        assertEquals(List.of(new ModuleOptions("g", "  x=1  y=2 "), new ModuleOptions("x", "y=1")), c.options());
        assertEquals(List.of(new Alias("a_b", "c_d"), new Alias("x[a-b]y", "m_n"), new Alias("ab", "c\\d"),
                new Alias("tail", "mod\u00ff")), c.aliases());
        assertEquals(List.of("k_l"), c.blacklist());
        assertEquals(List.of(LibkmodMessage.error("libkmod-config.c", 712, "kmod_config_parse",
                dir + "/a.conf line 6: ignoring bad line starting with 'linecontinued'")), loaded.messages());
    }

    @Test
    void kernelCommandLine() throws IOException {
        ConfigLoader.Loaded loaded = load("", "foo.bar=1 \"baz.qux=a b\" modprobe.blacklist=x,y-z dummy-x.n=3"
                + " a.b.c=d noval. bad]m.x=1 \"q\".y=2 plain\n");
        assertEquals(List.of(new ModuleOptions("foo", "bar=1"), new ModuleOptions("baz", "qux=\"a b\""),
                new ModuleOptions("dummy_x", "n=3"), new ModuleOptions("noval", "")), loaded.config().options());
        assertEquals(List.of("x", "y-z"), loaded.config().blacklist());
        assertEquals(List.of(LibkmodMessage.error("libkmod-config.c", 489, "kcmdline_parse_result",
                "Ignoring bad option on kernel command line while parsing module name: 'bad]m'")), loaded.messages());
    }

    @Test
    void queriesMatchAsLibkmod() throws IOException {
        ModprobeConfig c = load("install d* first\ninstall dummy second\noptions dummy a=1\noptions alias-x b=2\n"
                + "softdep du* pre: x\nsoftdep dummy pre: y\n", "").config();
        assertEquals(Optional.of("first"), c.installCommandFor("dummy"));
        assertEquals(Optional.of("second"), c.installCommandNamed("dummy"));
        assertEquals(Optional.of("a=1 b=2"), c.optionsFor("dummy", "alias_x"));
        assertEquals(List.of("x"), c.softdepFor("dummy").orElseThrow().pre());
    }
}
