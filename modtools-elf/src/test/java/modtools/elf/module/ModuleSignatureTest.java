package modtools.elf.module;

import static modtools.elf.module.ModuleTestSupport.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import modtools.elf.ByteView;
import modtools.elf.ElfFile;
import modtools.elf.ElfFormatException;
import modtools.testkit.Processes;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DERVisibleString;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleSignatureTest {
    private static final String SHA256 = "2.16.840.1.101.3.4.2.1";
    private static final String RSA = "1.2.840.113549.1.1.1";
    private static final String CN = "2.5.4.3";
    private static final String O = "2.5.4.10";
    private static final String OU = "2.5.4.11";
    private static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIG = HexFormat.of().parseHex("00112233445566778899aabbccddeeff".repeat(16));
    private static final List<String> FIELDS = List.of("sig_id", "signer", "sig_key", "sig_hashalgo", "signature");

    @TempDir
    Path dir;

    @Test
    void hexIsFormattedLikeModinfo() {
        assertEquals("", ModuleSignature.formatHex(new byte[0]));
        assertEquals("0A", ModuleSignature.formatHex(new byte[] {10}));
        byte[] twenty = new byte[20];
        Arrays.fill(twenty, (byte) 0xab);
        assertEquals(String.join(":", Collections.nCopies(20, "AB")), ModuleSignature.formatHex(twenty));
        byte[] twentyOne = Arrays.copyOf(twenty, 21);
        assertEquals(String.join(":", Collections.nCopies(20, "AB")) + ":\n\t\t00",
                ModuleSignature.formatHex(twentyOne));
        byte[] forty = Arrays.copyOf(twenty, 40);
        assertEquals(String.join(":", Collections.nCopies(20, "AB")) + ":\n\t\t"
                + String.join(":", Collections.nCopies(20, "00")), ModuleSignature.formatHex(forty));
    }

    @Test
    void everyCorpusSignatureMatchesModinfo() throws Exception {
        List<Path> modules = ModuleTestSupport.corpusModules();
        Map<String, Map<String, String>> expected = ModuleTestSupport.modinfo(modules);
        int signed = 0;
        for (Path module : modules) {
            Optional<ModuleSignature> signature = ModuleSignature.read(ModuleFile.open(module, ZstdReading.STREAM).bytes());
            signed += signature.isPresent() ? 1 : 0;
            assertEquals(sigFields(expected.get(module.toString())), fields(signature), module.toString());
        }
        assertTrue(signed > modules.size() * 9 / 10, "only " + signed + " of " + modules.size() + " signed");
    }

    /** Hand-made trailers and PKCS#7 blobs: what we read must be what we expect and what modinfo shows. */
    @Test
    void craftedSignaturesMatchModinfoAndExpectations() throws Exception {
        byte[] base = unsignedCorpusModule();
        Map<String, Case> cases = craftedCases();
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, Case> c : cases.entrySet()) {
            Path file = dir.resolve(c.getKey() + ".ko");
            Files.write(file, concat(base, c.getValue().tail()));
            files.add(file);
        }
        Map<String, Map<String, String>> modinfo = ModuleTestSupport.modinfo(files);
        for (Path file : files) {
            Case c = cases.get(file.getFileName().toString().replace(".ko", ""));
            Optional<ModuleSignature> ours = ModuleSignature.read(ModuleFile.open(file, ZstdReading.STREAM).bytes());
            assertEquals(fields(c.expected()), fields(ours), file + ": expectation");
            assertEquals(sigFields(modinfo.get(file.toString())), fields(ours), file + ": modinfo");
        }
    }

    /** Signatures made by OpenSSL itself: with signed attributes, an embedded certificate, a key-id signer. */
    @Test
    void opensslSignaturesMatchModinfo() throws Exception {
        String openssl = ModuleTestSupport.tool("openssl", "openssl");
        byte[] base = unsignedCorpusModule();
        Path content = dir.resolve("content.bin");
        Files.write(content, base);
        openssl(List.of(openssl, "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
                "-out", "cert.pem", "-days", "30", "-subj", "/O=Test Org/CN=Test Signer", "-set_serial", "0x00abcdef"));
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("attributes-and-certificate", List.of("-md", "sha256"));
        variants.put("like-sign-file", List.of("-md", "sha256", "-noattr", "-nocerts"));
        variants.put("sha512", List.of("-md", "sha512", "-noattr", "-nocerts"));
        variants.put("key-id-signer", List.of("-md", "sha256", "-noattr", "-nocerts", "-keyid"));
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
            List<String> command = new ArrayList<>(List.of(openssl, "cms", "-sign", "-binary", "-outform", "DER",
                    "-signer", "cert.pem", "-inkey", "key.pem", "-in", content.toString(), "-out", v.getKey() + ".der"));
            command.addAll(v.getValue());
            openssl(command);
            Path file = dir.resolve(v.getKey() + ".ko");
            Files.write(file, concat(base, pkcs7Trailer(Files.readAllBytes(dir.resolve(v.getKey() + ".der")))));
            files.add(file);
        }
        Map<String, Map<String, String>> modinfo = ModuleTestSupport.modinfo(files);
        for (Path file : files) {
            Optional<ModuleSignature> ours = ModuleSignature.read(ModuleFile.open(file, ZstdReading.STREAM).bytes());
            assertEquals(sigFields(modinfo.get(file.toString())), fields(ours), file.toString());
            boolean byKeyId = file.getFileName().toString().startsWith("key-id");
            assertEquals(byKeyId ? Optional.empty() : Optional.of("Test Signer"), ours.map(ModuleSignature::signer));
        }
    }

    private void openssl(List<String> command) {
        Processes.Result r = ModuleTestSupport.run(dir, command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.stderrText());
    }

    private record Case(byte[] tail, Optional<ModuleSignature> expected) {
    }

    private static Map<String, Case> craftedCases() throws IOException {
        Map<String, Case> cases = new LinkedHashMap<>();
        byte[] keyId = {1, 2, 3, 4, 5};
        byte[] signer = "Some signer\0hidden".getBytes(StandardCharsets.ISO_8859_1);
        cases.put("pgp", new Case(trailer(0, 4, 0, signer, keyId, SIG),
                Optional.of(new ModuleSignature("PGP", "Some signer", keyId, "sha256", SIG))));
        cases.put("x509-sm3", new Case(trailer(1, 8, 1, new byte[0], new byte[0], SIG),
                Optional.of(new ModuleSignature("X509", "", new byte[0], "sm3", SIG))));
        cases.put("bad-algo", new Case(trailer(2, 4, 0, signer, keyId, SIG), Optional.empty()));
        cases.put("bad-hash", new Case(trailer(0, 9, 0, signer, keyId, SIG), Optional.empty()));
        cases.put("bad-id-type", new Case(trailer(0, 4, 3, signer, keyId, SIG), Optional.empty()));
        cases.put("no-sig-bytes", new Case(trailer(0, 4, 0, signer, keyId, new byte[0]), Optional.empty()));

        byte[] standard = pkcs7(signerInfo(name(entry(O, new DERPrintableString("Org")),
                entry(CN, new DERUTF8String("Signer A"))), BigInteger.valueOf(0xabcdef), SHA256));
        cases.put("pkcs7", pkcs7Case(standard, "Signer A", new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef}, "sha256"));
        cases.put("pkcs7-trailing-junk", pkcs7Case(concat(standard, new byte[] {1, 2, 3, 4}), "Signer A",
                new byte[] {(byte) 0xab, (byte) 0xcd, (byte) 0xef}, "sha256"));
        cases.put("pkcs7-as-pgp", new Case(trailer(0, 1, 0, signer, keyId, standard),
                Optional.of(new ModuleSignature("PGP", "Some signer", keyId, "md5", standard))));
        cases.put("no-cn-last-entry", pkcs7Case(pkcs7(signerInfo(name(entry(O, new DERPrintableString("Only Org")),
                entry(OU, new DERPrintableString("Unit Two"))), BigInteger.ZERO, SHA256)), "Unit Two", new byte[0], "sha256"));
        cases.put("first-cn", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERPrintableString("First")),
                entry(CN, new DERPrintableString("Second"))), BigInteger.ONE, SHA256)), "First", new byte[] {1}, "sha256"));
        cases.put("empty-name", pkcs7Case(pkcs7(signerInfo(name(), BigInteger.TEN, SHA256)), "", new byte[] {10}, "sha256"));
        cases.put("bmp-cn", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERBMPString("Signer"))),
                BigInteger.TEN, SHA256)), "", new byte[] {10}, "sha256"));
        cases.put("ia5-cn", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERIA5String("ia5 signer"))),
                BigInteger.TEN, SHA256)), "ia5 signer", new byte[] {10}, "sha256"));
        cases.put("utf8-cn", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERUTF8String("Zo\u00eb"))),
                BigInteger.TEN, SHA256)), "Zo\u00c3\u00ab", new byte[] {10}, "sha256"));
        cases.put("visible-cn", new Case(pkcs7Trailer(pkcs7(signerInfo(name(entry(CN, new DERVisibleString("v"))),
                BigInteger.TEN, SHA256))), Optional.empty()));
        ASN1Primitive badUtf8 = ASN1Primitive.fromByteArray(new byte[] {0x0c, 2, (byte) 0xc3, 0x28});
        cases.put("bad-utf8-cn", new Case(pkcs7Trailer(pkcs7(signerInfo(name(entry(CN, badUtf8)),
                BigInteger.TEN, SHA256))), Optional.empty()));
        cases.put("negative-serial", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERUTF8String("n"))),
                BigInteger.valueOf(-5), SHA256)), "n", new byte[] {5}, "sha256"));
        byte[] serial = new byte[20];
        Arrays.fill(serial, (byte) 0x9c);
        cases.put("long-serial", pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERUTF8String("n"))),
                new BigInteger(1, serial), SHA256)), "n", serial, "sha256"));
        Map<String, String> digests = new TreeMap<>(Map.of("md4", "1.2.840.113549.2.4", "md5", "1.2.840.113549.2.5",
                "sha1", "1.3.14.3.2.26", "rmd160", "1.3.36.3.2.1", "sha224", "2.16.840.1.101.3.4.2.4",
                "sha384", "2.16.840.1.101.3.4.2.2", "sha512", "2.16.840.1.101.3.4.2.3", "sm3", "1.2.156.10197.1.401"));
        for (Map.Entry<String, String> d : digests.entrySet()) {
            cases.put("digest-" + d.getKey(), pkcs7Case(pkcs7(signerInfo(name(entry(CN, new DERUTF8String("d"))),
                    BigInteger.TEN, d.getValue())), "d", new byte[] {10}, d.getKey()));
        }
        cases.put("digest-sha3", new Case(pkcs7Trailer(pkcs7(signerInfo(name(entry(CN, new DERUTF8String("d"))),
                BigInteger.TEN, "2.16.840.1.101.3.4.2.8"))), Optional.empty()));
        ASN1Encodable first = signerInfo(name(entry(CN, new DERUTF8String("First signer"))), BigInteger.ONE, SHA256);
        ASN1Encodable second = signerInfo(name(entry(CN, new DERUTF8String("Second signer"))), BigInteger.TWO, SHA256);
        cases.put("two-signers", pkcs7Case(pkcs7(first, second), "First signer", new byte[] {1}, "sha256"));
        ASN1Encodable broken = new DLSequence(new ASN1Encodable[] {new ASN1Integer(1),
                new DLSequence(new ASN1Encodable[] {name(), new ASN1Integer(3)}), algorithm(SHA256), algorithm(RSA)});
        cases.put("bad-second-signer", new Case(pkcs7Trailer(pkcs7(first, broken)), Optional.empty()));
        ASN1Encodable byKeyId = new DLSequence(new ASN1Encodable[] {new ASN1Integer(3),
                new DLTaggedObject(false, 0, new DEROctetString(new byte[] {1, 2, 3})), algorithm(SHA256),
                algorithm(RSA), new DEROctetString(SIG)});
        cases.put("signer-by-key-id", new Case(pkcs7Trailer(pkcs7(byKeyId)), Optional.empty()));
        cases.put("no-signers", new Case(pkcs7Trailer(pkcs7()), Optional.empty()));
        byte[] dataOnly = new DLSequence(new ASN1ObjectIdentifier("1.2.840.113549.1.7.1")).getEncoded();
        cases.put("not-signed-data", new Case(pkcs7Trailer(dataOnly), Optional.empty()));
        byte[] junk = new byte[300];
        new Random(7).nextBytes(junk);
        cases.put("junk", new Case(pkcs7Trailer(junk), Optional.empty()));
        return cases;
    }

    @Test
    void damagedTrailersNeverThrow() throws ElfFormatException {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            byte[] file = new byte[random.nextInt(120)];
            random.nextBytes(file);
            int magicAt = file.length - MAGIC.length;
            if (magicAt >= 0 && random.nextBoolean()) {
                System.arraycopy(MAGIC, 0, file, magicAt, MAGIC.length);
                if (magicAt >= 12) {
                    file[magicAt - 12] = (byte) random.nextInt(2);
                    file[magicAt - 11] = (byte) random.nextInt(9);
                    file[magicAt - 10] = (byte) random.nextInt(3);
                }
            }
            ModuleSignature.read(ByteView.of("fuzz", ByteBuffer.wrap(file), ByteOrder.LITTLE_ENDIAN));
        }
    }

    @Test
    void damagedPkcs7NeverThrows() throws Exception {
        byte[] good = pkcs7(signerInfo(name(entry(CN, new DERUTF8String("Signer"))), BigInteger.TEN, SHA256));
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] blob = good.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                blob[random.nextInt(blob.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                blob = Arrays.copyOf(blob, random.nextInt(blob.length) + 1);
            }
            Pkcs7Signer.parse(blob);
        }
    }

    @Test
    void hostileNestingIsRefusedWithoutOverflow() {
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) {
            deep.write(0x30);
            deep.write(0x80);
        }
        assertEquals(Optional.empty(), Pkcs7Signer.parse(deep.toByteArray()).map(Pkcs7Signer::issuer));
        assertTrue(Pkcs7Signer.nestingWithin(new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}, 1));
        assertTrue(!Pkcs7Signer.nestingWithin(new byte[] {0x30, 0x02, 0x30, 0x00}, 1));
        assertTrue(!Pkcs7Signer.nestingWithin(new byte[] {0x30, 0x05, 0x02, 0x01}, 4), "length past the end");
    }

    @Test
    void keyIdAndSignatureAreCopies() {
        byte[] key = {1, 2};
        ModuleSignature s = new ModuleSignature("PGP", "x", key, "sha1", SIG);
        key[0] = 9;
        s.keyId()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, s.keyId());
        assertEquals(new ModuleSignature("PGP", "x", new byte[] {1, 2}, "sha1", SIG.clone()), s);
    }

    // ---------------------------------------------------------------- building signatures

    private static Case pkcs7Case(byte[] blob, String signer, byte[] keyId, String hash) {
        return new Case(pkcs7Trailer(blob), Optional.of(new ModuleSignature("PKCS#7", signer, keyId, hash, SIG)));
    }

    /** A PKCS#7 trailer as the kernel's sign-file writes it: only id type and length set. */
    private static byte[] pkcs7Trailer(byte[] blob) {
        return trailer(0, 0, 2, new byte[0], new byte[0], blob);
    }

    private static byte[] trailer(int algo, int hash, int idType, byte[] signer, byte[] keyId, byte[] signature) {
        ByteBuffer info = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        info.put((byte) algo).put((byte) hash).put((byte) idType).put((byte) signer.length).put((byte) keyId.length);
        info.position(8);
        info.putInt(signature.length);
        return concat(signer, keyId, signature, info.array(), MAGIC);
    }

    private static byte[] pkcs7(ASN1Encodable... signerInfos) throws IOException {
        ASN1Encodable signedData = new DLSequence(new ASN1Encodable[] {new ASN1Integer(1),
                new DLSet(algorithm(SHA256)), new DLSequence(new ASN1ObjectIdentifier("1.2.840.113549.1.7.1")),
                new DLSet(signerInfos)});
        return new DLSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier("1.2.840.113549.1.7.2"),
                new DLTaggedObject(true, 0, signedData)}).getEncoded();
    }

    private static ASN1Encodable signerInfo(ASN1Encodable issuer, BigInteger serial, String digest) {
        return new DLSequence(new ASN1Encodable[] {new ASN1Integer(1),
                new DLSequence(new ASN1Encodable[] {issuer, new ASN1Integer(serial)}),
                algorithm(digest), algorithm(RSA), new DEROctetString(SIG)});
    }

    private static ASN1Encodable algorithm(String oid) {
        return new DLSequence(new ASN1ObjectIdentifier(oid));
    }

    /** A Name with one attribute per RDN, in the order given. */
    private static ASN1Encodable name(ASN1Encodable... entries) {
        ASN1Encodable[] rdns = new ASN1Encodable[entries.length];
        for (int i = 0; i < entries.length; i++) {
            rdns[i] = new DLSet(entries[i]);
        }
        return new DLSequence(rdns);
    }

    private static ASN1Encodable entry(String oid, ASN1Encodable value) {
        return new DLSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
    }

    // ---------------------------------------------------------------- comparing

    /** A corpus module with its signature cut off. */
    private static byte[] unsignedCorpusModule() throws IOException, ElfFormatException {
        Path module = ModuleTestSupport.corpusModules().get(0);
        byte[] bytes = Files.readAllBytes(module);
        ByteBuffer info = ByteBuffer.wrap(bytes, bytes.length - MAGIC.length - 12, 12).order(ByteOrder.BIG_ENDIAN);
        int signer = info.get(info.position() + 3) & 0xff;
        int keyId = info.get(info.position() + 4) & 0xff;
        int length = info.getInt(info.position() + 8);
        byte[] base = Arrays.copyOf(bytes, bytes.length - MAGIC.length - 12 - length - signer - keyId);
        ElfFile.parse(module.toString(), ByteBuffer.wrap(base));
        return base;
    }

    private static Map<String, String> fields(Optional<ModuleSignature> signature) {
        Map<String, String> out = new TreeMap<>();
        signature.ifPresent(s -> {
            out.put("sig_id", s.idType());
            out.put("signer", s.signer());
            out.put("sig_key", ModuleSignature.formatHex(s.keyId()));
            out.put("sig_hashalgo", s.hashAlgorithm());
            out.put("signature", ModuleSignature.formatHex(s.signature()));
        });
        return out;
    }

    private static Map<String, String> sigFields(Map<String, String> modinfo) {
        assertTrue(modinfo != null, "modinfo printed nothing for the file");
        Map<String, String> out = new TreeMap<>();
        for (String key : FIELDS) {
            if (modinfo.containsKey(key)) {
                out.put(key, modinfo.get(key));
            }
        }
        return out;
    }
}
