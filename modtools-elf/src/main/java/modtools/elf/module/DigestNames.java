package modtools.elf.module;

import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * How kmod names the digest of a PKCS#7 module signature ({@code sig_hashalgo}): kmod 30 maps
 * it to its own table of the digests kernels sign with and shows no signature for any other;
 * kmod 32 and later print OpenSSL's long name for it (OBJ_obj2txt), or the dotted object
 * identifier for one OpenSSL does not know.
 */
public enum DigestNames {
    KMOD_TABLE(Map.of(
            "1.2.840.113549.2.4", "md4",
            "1.2.840.113549.2.5", "md5",
            "1.3.14.3.2.26", "sha1",
            "1.3.36.3.2.1", "rmd160",
            "2.16.840.1.101.3.4.2.1", "sha256",
            "2.16.840.1.101.3.4.2.2", "sha384",
            "2.16.840.1.101.3.4.2.3", "sha512",
            "2.16.840.1.101.3.4.2.4", "sha224",
            "1.2.156.10197.1.401", "sm3")),
    OPENSSL(Map.ofEntries(
            Map.entry("1.2.840.113549.2.2", "md2"),
            Map.entry("1.2.840.113549.2.4", "md4"),
            Map.entry("1.2.840.113549.2.5", "md5"),
            Map.entry("2.5.8.3.101", "mdc2"),
            Map.entry("1.3.14.3.2.26", "sha1"),
            Map.entry("1.3.36.3.2.1", "ripemd160"),
            Map.entry("1.0.10118.3.0.55", "whirlpool"),
            Map.entry("2.16.840.1.101.3.4.2.1", "sha256"),
            Map.entry("2.16.840.1.101.3.4.2.2", "sha384"),
            Map.entry("2.16.840.1.101.3.4.2.3", "sha512"),
            Map.entry("2.16.840.1.101.3.4.2.4", "sha224"),
            Map.entry("2.16.840.1.101.3.4.2.5", "sha512-224"),
            Map.entry("2.16.840.1.101.3.4.2.6", "sha512-256"),
            Map.entry("2.16.840.1.101.3.4.2.7", "sha3-224"),
            Map.entry("2.16.840.1.101.3.4.2.8", "sha3-256"),
            Map.entry("2.16.840.1.101.3.4.2.9", "sha3-384"),
            Map.entry("2.16.840.1.101.3.4.2.10", "sha3-512"),
            Map.entry("2.16.840.1.101.3.4.2.11", "shake128"),
            Map.entry("2.16.840.1.101.3.4.2.12", "shake256"),
            Map.entry("1.3.6.1.4.1.1722.12.2.1.16", "blake2b512"),
            Map.entry("1.3.6.1.4.1.1722.12.2.2.8", "blake2s256"),
            Map.entry("1.2.156.10197.1.401", "sm3")));

    private final Map<String, String> names;

    DigestNames(Map<String, String> names) {
        this.names = names;
    }

    /** The name shown for a digest, or empty where kmod shows no signature at all. */
    Optional<String> of(ASN1ObjectIdentifier digest) {
        String name = names.get(digest.getId());
        if (name == null && this == OPENSSL) {
            return Optional.of(digest.getId());
        }
        return Optional.ofNullable(name);
    }
}
