package modtools.elf.module;

import modtools.elf.ByteView;
import modtools.elf.ElfFormatException;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The appended module signature as kmod reports it: the values behind modinfo's
 * {@code sig_id}, {@code signer}, {@code sig_key}, {@code sig_hashalgo} and {@code signature}.
 * Text fields hold bytes as ISO-8859-1 characters, like every other byte string we read.
 *
 * <p>A signed module ends with
 * {@code [signer][key id][signature][struct module_signature][magic]}; for PKCS#7 signatures
 * the signer, key id and hash come out of the CMS blob instead of the trailer.
 */
public record ModuleSignature(String idType, String signer, byte[] keyId, String hashAlgorithm,
                              byte[] signature) {
    private static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);
    private static final int TRAILER_SIZE = 12;
    private static final int ALGORITHM_COUNT = 2; // DSA, RSA: only the range is checked
    /** Indexed by the trailer's hash byte, as kmod's pkey_hash_algo table. */
    static final List<String> HASH_ALGORITHMS =
            List.of("md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3");
    private static final List<String> ID_TYPES = List.of("PGP", "X509", "PKCS#7");
    private static final int ID_PKCS7 = 2;
    private static final int HEX_BYTES_PER_LINE = 20;

    public ModuleSignature {
        keyId = keyId.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] keyId() {
        return keyId.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** {@link #read(ByteView, DigestNames)} with kmod 30's names for the digests. */
    public static Optional<ModuleSignature> read(ByteView file) throws ElfFormatException {
        return read(file, DigestNames.KMOD_TABLE);
    }

    /**
     * The signature appended to a module file (the whole, decompressed file), or empty where
     * kmod shows none: no magic, a trailer field out of kmod's tables, lengths that do not fit,
     * a PKCS#7 blob that kmod cannot use, or a digest {@code digestNames} has no name for.
     */
    public static Optional<ModuleSignature> read(ByteView file, DigestNames digestNames) throws ElfFormatException {
        long size = file.size() - MAGIC.length;
        if (size < 0 || !file.startsWith(size, MAGIC)) {
            return Optional.empty();
        }
        size -= TRAILER_SIZE;
        if (size < 0) {
            return Optional.empty();
        }
        String what = "module signature trailer";
        int algorithm = file.u8(size, what);
        int hash = file.u8(size + 1, what);
        int idType = file.u8(size + 2, what);
        int signerLength = file.u8(size + 3, what);
        int keyIdLength = file.u8(size + 4, what);
        long signatureLength = file.withOrder(ByteOrder.BIG_ENDIAN).u32(size + 8, what);
        if (algorithm >= ALGORITHM_COUNT || hash >= HASH_ALGORITHMS.size() || idType >= ID_TYPES.size()
                || signatureLength == 0 || size < signerLength + keyIdLength + signatureLength) {
            return Optional.empty();
        }
        long signatureAt = size - signatureLength;
        byte[] blob = file.bytes(signatureAt, (int) signatureLength, "module signature");
        if (idType == ID_PKCS7) {
            Optional<Pkcs7Signer> signer = Pkcs7Signer.parse(blob);
            Optional<String> digest = signer.isEmpty() ? Optional.empty() : digestNames.of(signer.get().digest());
            if (digest.isEmpty()) {
                return Optional.empty();
            }
            Pkcs7Signer s = signer.get();
            return Optional.of(new ModuleSignature(ID_TYPES.get(idType), s.issuer(), s.serial(), digest.get(),
                    s.signature()));
        }
        long keyIdAt = signatureAt - keyIdLength;
        byte[] keyId = file.bytes(keyIdAt, keyIdLength, "module signature key id");
        byte[] signer = file.bytes(keyIdAt - signerLength, signerLength, "module signature signer");
        return Optional.of(new ModuleSignature(ID_TYPES.get(idType), cString(signer), keyId,
                HASH_ALGORITHMS.get(hash), blob));
    }

    /** kmod keeps modinfo values as C strings, so everything from the first NUL on is lost. */
    static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    /**
     * Bytes the way modinfo shows {@code sig_key} and {@code signature}: uppercase hex pairs
     * joined by ':', with a newline and two tabs after every 20th byte (the ':' stays on the
     * line before). No bytes give the empty string.
     */
    public static String formatHex(byte[] bytes) {
        HexFormat hex = HexFormat.of().withUpperCase();
        StringBuilder out = new StringBuilder(bytes.length * 3 + bytes.length / HEX_BYTES_PER_LINE * 3);
        for (int i = 0; i < bytes.length; i++) {
            hex.toHexDigits(out, bytes[i]);
            if (i < bytes.length - 1) {
                out.append(':');
                if ((i + 1) % HEX_BYTES_PER_LINE == 0) {
                    out.append("\n\t\t");
                }
            }
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModuleSignature s && idType.equals(s.idType) && signer.equals(s.signer)
                && Arrays.equals(keyId, s.keyId) && hashAlgorithm.equals(s.hashAlgorithm)
                && Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(idType, signer, Arrays.hashCode(keyId), hashAlgorithm, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "ModuleSignature[idType=" + idType + ", signer=" + signer + ", keyId=" + formatHex(keyId)
                + ", hashAlgorithm=" + hashAlgorithm + ", signature=" + signature.length + " bytes]";
    }
}
