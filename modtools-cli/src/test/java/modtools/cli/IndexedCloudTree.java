package modtools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import modtools.testkit.Corpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the modprobe tests on the cloud tree read: a linked copy of the tree indexed by kmod's
 * depmod, made before a test class's first test and removed after its last, and modprobe.d's
 * fixture beside it. The fields are static and shared by the subclasses: each class sets them
 * anew before its tests, which holds while test classes run one at a time.
 */
abstract class IndexedCloudTree {
    @TempDir
    static Path tmp;
    static Path base;
    static String version;
    static Path moduleDir;
    static Path config;

    @BeforeAll
    static void copyAndIndex() throws IOException {
        version = Corpus.version(Corpus.cloud());
        base = tmp.resolve("root");
        moduleDir = Reference.indexedCopy(Corpus.cloud(), version, base);
        config = writeFixture(tmp.resolve("modprobe.d"));
    }

    @AfterAll
    static void removeLinks() {
        Corpus.removeCopy(base);
    }

    /**
     * Every directive, a wildcard alias, options split over a continuation, an install
     * command using $CMDLINE_OPTS, softdeps (one interleaving pre and post, one naming a
     * missing module and one with a malformed name), blacklists, and lines kmod rejects.
     */
    static Path writeFixture(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("nested.conf"));
        Files.writeString(dir.resolve("10-main.conf"), """
                # every directive
                alias my-net e1000
                alias pci:v00008086d000010D3sv*sd*bc*sc*i* dummy
                alias wild* tun
                alias off-alias off
                alias x[a-b]y veth
                options dummy numdummies=2
                options  bonding\t  max_bonds=3 \tmiimon=100 # trailing comment
                options my-net debug=1
                options e1000 copybreak=0 \\
                  TxDescriptors=80
                install fake-mod /bin/true
                install e1000 /sbin/modprobe --ignore-install e1000 $CMDLINE_OPTS && echo done
                install tun /bin/true
                install failing-mod exit 3
                install env-mod echo "$MODPROBE_MODULE:$MODPROBE_OPTIONS"
                remove fake-mod /bin/false
                remove dummy /bin/echo removing dummy
                blacklist floppy
                blacklist tls
                softdep bonding pre: dummy post: tun
                softdep veth pre: crc32 post: nonexistent-mod
                softdep ipvlan pre: veth
                softdep macvlan post: tap pre: veth crc32 post: tun
                softdep macvtap pre: bad]name
                weakdep bonding dummy  tun
                weakdep mac* veth
                  # an indented comment is a bad line
                bogus directive here
                alias lonely
                options no-options
                include /etc/other.conf
                blacklist unbalanced[x
                """);
        Files.writeString(dir.resolve("20-more.alias"), "alias sym-test symbol:tls_get_record\noptions tun  foo=bar\n");
        Files.writeString(dir.resolve(".hidden.conf"), "alias hidden dummy\n");
        Files.writeString(dir.resolve("ignored.txt"), "alias ignored dummy\n");
        return dir;
    }
}
