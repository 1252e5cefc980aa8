package modtools.elf.module;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What kmod's OpenSSL build takes from a PKCS#7 module signature: from the first SignerInfo,
 * the issuer's common name (signer), the serial number (key id), the digest algorithm and the
 * encrypted digest. The blob is checked against the shape OpenSSL's {@code d2i_PKCS7} demands,
 * because anything it rejects makes kmod report no signature at all.
 */
record Pkcs7Signer(String issuer, byte[] serial, ASN1ObjectIdentifier digest, byte[] signature) {
    private static final ASN1ObjectIdentifier SIGNED_DATA = new ASN1ObjectIdentifier("1.2.840.113549.1.7.2");
    private static final ASN1ObjectIdentifier DATA = new ASN1ObjectIdentifier("1.2.840.113549.1.7.1");
    private static final ASN1ObjectIdentifier COMMON_NAME = new ASN1ObjectIdentifier("2.5.4.3");
    /**
     * Real signatures nest about 8 deep and OpenSSL's templates allow 30 levels. Refusing
     * deeper input up front keeps BouncyCastle's recursive parser from overflowing the stack
     * (it does at a few thousand levels); only a hostile blob could tell the difference.
     */
    private static final int MAX_NESTING = 64;

    /** The signer, or empty where kmod's fill_pkcs7 fails. */
    static Optional<Pkcs7Signer> parse(byte[] blob) {
        if (!nestingWithin(blob, MAX_NESTING)) {
            return Optional.empty();
        }
        try (ASN1InputStream in = new ASN1InputStream(blob)) {
            // Like d2i_PKCS7_bio, read one object and ignore whatever follows it.
            ASN1Primitive contentInfo = in.readObject();
            return contentInfo == null ? Optional.empty() : fromContentInfo(contentInfo);
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports bad encodings with assorted runtime exceptions; to kmod they
            // are all the same failed d2i, so the module simply shows no signature.
            return Optional.empty();
        }
    }

    private static Optional<Pkcs7Signer> fromContentInfo(ASN1Primitive top) {
        Fields contentInfo = new Fields(top);
        ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(contentInfo.next());
        ASN1TaggedObject content = contentInfo.optional(0);
        contentInfo.end();
        // PKCS7_get_signer_info only finds signers in signed data that is present; we leave out
        // signedAndEnveloped data, which no module signing tool produces.
        if (!type.equals(SIGNED_DATA) || content == null) {
            return Optional.empty();
        }
        Fields signedData = new Fields(content.getExplicitBaseObject());
        ASN1Integer.getInstance(signedData.next());
        for (ASN1Encodable algorithm : ASN1Set.getInstance(signedData.next())) {
            algorithm(algorithm);
        }
        checkInnerContentInfo(signedData.next());
        ASN1TaggedObject certificates = signedData.optional(0);
        if (certificates != null) {
            ASN1Sequence.getInstance(certificates, false).forEach(Certificate::getInstance);
        }
        ASN1TaggedObject crls = signedData.optional(1);
        if (crls != null) {
            ASN1Set.getInstance(crls, false).forEach(CertificateList::getInstance);
        }
        ASN1Set signerInfos = ASN1Set.getInstance(signedData.next());
        signedData.end();
        // OpenSSL decodes every SignerInfo, so a bad second one spoils the first.
        List<Pkcs7Signer> signers = new ArrayList<>();
        for (ASN1Encodable signerInfo : signerInfos) {
            signers.add(signerInfo(signerInfo));
        }
        if (signers.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(signers.get(0));
    }

    private static void checkInnerContentInfo(ASN1Encodable encodable) {
        Fields inner = new Fields(encodable);
        ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(inner.next());
        ASN1TaggedObject content = inner.optional(0);
        inner.end();
        if (content != null && type.equals(DATA)) {
            ASN1OctetString.getInstance(content.getExplicitBaseObject());
        }
    }

    private static Pkcs7Signer signerInfo(ASN1Encodable encodable) {
        Fields signerInfo = new Fields(encodable);
        ASN1Integer.getInstance(signerInfo.next());
        Fields issuerAndSerial = new Fields(signerInfo.next());
        String issuer = commonName(issuerAndSerial.next());
        BigInteger serial = ASN1Integer.getInstance(issuerAndSerial.next()).getValue();
        issuerAndSerial.end();
        ASN1ObjectIdentifier digest = algorithm(signerInfo.next());
        ASN1TaggedObject signedAttributes = signerInfo.optional(0);
        if (signedAttributes != null) {
            ASN1Sequence.getInstance(signedAttributes, false).forEach(Pkcs7Signer::attribute);
        }
        algorithm(signerInfo.next());
        byte[] encryptedDigest = ASN1OctetString.getInstance(signerInfo.next()).getOctets();
        ASN1TaggedObject unsignedAttributes = signerInfo.optional(1);
        if (unsignedAttributes != null) {
            ASN1Set.getInstance(unsignedAttributes, false).forEach(Pkcs7Signer::attribute);
        }
        signerInfo.end();
        return new Pkcs7Signer(issuer, magnitude(serial), digest, encryptedDigest);
    }

    /** BN_bn2bin of the serial: big-endian magnitude without sign or leading zeros. */
    private static byte[] magnitude(BigInteger value) {
        byte[] bytes = value.abs().toByteArray();
        int start = 0;
        while (start < bytes.length && bytes[start] == 0) {
            start++;
        }
        return Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private static ASN1ObjectIdentifier algorithm(ASN1Encodable encodable) {
        Fields algorithm = new Fields(encodable);
        ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(algorithm.next());
        algorithm.optionalAny();
        algorithm.end();
        return oid;
    }

    private static void attribute(ASN1Encodable encodable) {
        Fields attribute = new Fields(encodable);
        ASN1ObjectIdentifier.getInstance(attribute.next());
        ASN1Set.getInstance(attribute.next());
        attribute.end();
    }

    /**
     * kmod's x509_name_to_str: the first commonName; without one, its loop leaves the last
     * entry selected and kmod uses that; with no entries at all the signer is empty. The
     * value is the string's raw bytes up to the first NUL (a BMPString "A" is "").
     */
    private static String commonName(ASN1Encodable name) {
        List<NameEntry> entries = new ArrayList<>();
        for (ASN1Encodable rdn : ASN1Sequence.getInstance(name)) {
            for (ASN1Encodable entry : ASN1Set.getInstance(rdn)) {
                entries.add(NameEntry.of(entry));
            }
        }
        NameEntry chosen = null;
        for (NameEntry entry : entries) {
            chosen = entry;
            if (entry.type.equals(COMMON_NAME)) {
                break;
            }
        }
        return chosen == null ? "" : ModuleSignature.cString(chosen.data);
    }

    /** One attribute of a Name, as OpenSSL stores it: the type and the string's bytes. */
    private record NameEntry(ASN1ObjectIdentifier type, byte[] data) {
        static NameEntry of(ASN1Encodable encodable) {
            Fields entry = new Fields(encodable);
            ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(entry.next());
            ASN1Primitive value = entry.next().toASN1Primitive();
            entry.end();
            byte[] der;
            try {
                der = value.getEncoded(ASN1Encoding.DER);
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
            int tag = der[0] & 0xff;
            if ((tag & 0xc0) != 0 || !printableTag(tag & 0x1f)) {
                throw new IllegalArgumentException("name value type " + tag + " is not an OpenSSL DirectoryString");
            }
            int tagNumber = tag & 0x1f;
            // OpenSSL keeps a SEQUENCE value whole; other types keep their contents.
            byte[] data = tagNumber == BERTags.SEQUENCE ? der : contents(der);
            if (tagNumber == BERTags.BIT_STRING && data.length > 0) {
                data = Arrays.copyOfRange(data, 1, data.length);
            }
            if (!canonicalisable(tagNumber, data)) {
                throw new IllegalArgumentException("name value does not convert to UTF-8");
            }
            return new NameEntry(type, data);
        }

        /** The universal tags in OpenSSL's B_ASN1_PRINTABLE mask (its "unknown" bit included). */
        private static boolean printableTag(int number) {
            return switch (number) {
                case 3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30 -> true;
                default -> false;
            };
        }

        /**
         * OpenSSL canonicalises every Name as it decodes it, converting these string types to
         * UTF-8; a value that does not convert fails the whole PKCS#7 decode.
         */
        private static boolean canonicalisable(int tagNumber, byte[] data) {
            return switch (tagNumber) {
                case BERTags.UTF8_STRING -> validUtf8(data);
                case BERTags.BMP_STRING -> validCodePoints(data, 2);
                case BERTags.UNIVERSAL_STRING -> validCodePoints(data, 4);
                default -> true;
            };
        }

        private static boolean validUtf8(byte[] data) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }

        /** Fixed-width big-endian code points, as UCS-2 or UCS-4; no surrogates, nothing past U+10FFFF. */
        private static boolean validCodePoints(byte[] data, int width) {
            if (data.length % width != 0) {
                return false;
            }
            for (int i = 0; i < data.length; i += width) {
                long value = 0;
                for (int j = 0; j < width; j++) {
                    value = value << 8 | (data[i + j] & 0xff);
                }
                if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
                    return false;
                }
            }
            return true;
        }

        private static byte[] contents(byte[] der) {
            int lengthByte = der[1] & 0xff;
            int headerSize = 2 + (lengthByte < 0x80 ? 0 : lengthByte & 0x7f);
            return Arrays.copyOfRange(der, headerSize, der.length);
        }
    }

    /**
     * The elements of a SEQUENCE, taken in order like an OpenSSL template: mandatory fields,
     * optional context-tagged ones, and nothing left over at the end.
     */
    private static final class Fields {
        private final ASN1Sequence sequence;
        private int next;

        Fields(ASN1Encodable encodable) {
            this.sequence = ASN1Sequence.getInstance(encodable);
        }

        ASN1Encodable next() {
            if (next >= sequence.size()) {
                throw new IllegalArgumentException("missing field " + next);
            }
            return sequence.getObjectAt(next++);
        }

        /** The next field if it carries context tag [tagNo], else null. */
        ASN1TaggedObject optional(int tagNo) {
            if (next < sequence.size() && sequence.getObjectAt(next) instanceof ASN1TaggedObject t
                    && t.hasContextTag(tagNo)) {
                next++;
                return t;
            }
            return null;
        }

        void optionalAny() {
            if (next < sequence.size()) {
                next++;
            }
        }

        void end() {
            if (next != sequence.size()) {
                throw new IllegalArgumentException("unexpected field " + next);
            }
        }
    }

    /**
     * Whether the first BER object in {@code der} nests constructed encodings at most
     * {@code limit} deep; walks the headers without recursion. Malformed headers count as
     * too deep, since the decode would fail on them anyway.
     */
    static boolean nestingWithin(byte[] der, int limit) {
        long[] ends = new long[limit]; // where each open level ends; -1 for indefinite length
        int depth = 0;
        int pos = 0;
        while (true) {
            while (depth > 0) {
                long end = ends[depth - 1];
                if (end >= 0 && pos >= end) {
                    if (pos > end) {
                        return false;
                    }
                    depth--;
                } else if (end < 0 && pos + 1 < der.length && der[pos] == 0 && der[pos + 1] == 0) {
                    pos += 2;
                    depth--;
                } else {
                    break;
                }
            }
            if (depth == 0 && pos > 0) {
                return true;
            }
            if (pos >= der.length) {
                return false;
            }
            int tag = der[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                while (pos < der.length && (der[pos] & 0x80) != 0) {
                    pos++;
                }
                pos++;
            }
            if (pos >= der.length) {
                return false;
            }
            int first = der[pos++] & 0xff;
            long length = first;
            if (first == 0x80) {
                length = -1;
            } else if (first > 0x80) {
                int count = first & 0x7f;
                if (count > 4 || pos + count > der.length) {
                    return false;
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = length << 8 | (der[pos++] & 0xff);
                }
            }
            boolean constructed = (tag & 0x20) != 0;
            if (length < 0 && !constructed || pos + length > der.length) {
                return false;
            }
            if (constructed) {
                if (depth == limit) {
                    return false;
                }
                ends[depth++] = length < 0 ? -1 : pos + length;
            } else {
                pos += (int) length;
            }
        }
    }
}
