package modtools.load.modfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import modtools.contract.ModuleStatus;

/**
 * Module parameters, set in the relocated image before init as Linux sets them in the loaded
 * module: the argument string split as the kernel's {@code next_arg} splits it (quotes group,
 * {@code -} and {@code _} are the same in names), each value parsed as the kernel's
 * {@code param_set_*} parses it and written at the variable's address by the {@code __param}
 * table (sdk/include/modfs/module.h). An unknown name is ignored with the kernel's warning; a
 * bad value stops the load with the kernel's message and errno.
 */
final class Parameters {
    static final int RECORD = 40;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int ENOEXEC = 8;
    private static final String[] TYPES = {null, "byte", "short", "ushort", "int", "uint", "long", "ulong", "ullong",
        "hexint", "charp", "bool", "invbool"};
    /** The size of each type's variable, by type number. */
    private static final int[] SIZES = {0, 1, 2, 2, 4, 4, 8, 8, 8, 4, 8, 1, 1};
    private static final int CHARP = 10;
    private static final int BOOL = 11;
    private static final int INVBOOL = 12;

    /** One {@code name[=value]} word of the argument string; {@code value} is null without '='. */
    record Arg(String name, String value) {}

    /** One record of the {@code __param} table, addresses absolute. */
    record Param(String name, long arg, long buf, int type, int perm, int size, int bufSize) {
        String typeName() {
            return type > 0 && type < TYPES.length ? TYPES[type] : "type" + type;
        }
    }

    /** A refused value or a damaged table: the errno the load fails with, the message already logged. */
    static final class Refused extends Exception {
        final int errno;

        Refused(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    private final String module;
    private final byte[] image;
    private final ByteBuffer view;
    private final long base;
    private final Consumer<String> log;
    private final Charset charset;

    /** @param log where the kernel's messages go, one line each */
    Parameters(String module, byte[] image, long base, Consumer<String> log, Charset charset) {
        this.module = module;
        this.image = image;
        this.view = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        this.base = base;
        this.log = log;
        this.charset = charset;
    }

    // ------------------------------------------------------------------ the argument string

    /** parse_args with next_arg: words split at unquoted white space, quotes dropped around values. */
    static List<Arg> split(String args) {
        List<Arg> out = new ArrayList<>();
        int at = skipSpaces(args, 0);
        while (at < args.length()) {
            int start = at;
            boolean inQuote = false;
            boolean quoted = false;
            if (args.charAt(at) == '"') {
                at++;
                start = at;
                inQuote = true;
                quoted = true;
            }
            int equals = -1;
            int i = at;
            for (; i < args.length(); i++) {
                char c = args.charAt(i);
                if (isSpace(c) && !inQuote) {
                    break;
                }
                if (equals < 0 && c == '=') {
                    equals = i;
                }
                if (c == '"') {
                    inQuote = !inQuote;
                }
            }
            int end = i;
            String name;
            String value = null;
            if (equals < 0) {
                if (quoted && end > start && args.charAt(end - 1) == '"') {
                    end--;
                }
                name = args.substring(start, end);
            } else {
                name = args.substring(start, equals);
                int vStart = equals + 1;
                int vEnd = end;
                if (vStart < args.length() && args.charAt(vStart) == '"') {
                    vStart++;
                    if (vEnd > vStart && args.charAt(vEnd - 1) == '"') {
                        vEnd--;
                    }
                } else if (quoted && vEnd > vStart && args.charAt(vEnd - 1) == '"') {
                    vEnd--;
                }
                value = vStart <= vEnd ? args.substring(vStart, vEnd) : "";
            }
            if (value == null && name.equals("--")) {
                break;
            }
            out.add(new Arg(name, value));
            at = skipSpaces(args, i < args.length() ? i + 1 : i);
        }
        return out;
    }

    private static int skipSpaces(String s, int at) {
        while (at < s.length() && isSpace(s.charAt(at))) {
            at++;
        }
        return at;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    /** parameq: names match with '-' and '_' taken as the same. */
    static boolean sameName(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i) == '-' ? '_' : a.charAt(i);
            char y = b.charAt(i) == '-' ? '_' : b.charAt(i);
            if (x != y) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ the table

    /** The records of the {@code __param} section at {@code address}, {@code size} bytes. */
    List<Param> table(long address, long size) throws Refused {
        List<Param> params = new ArrayList<>();
        if (size % RECORD != 0) {
            throw damaged("__param is " + size + " bytes, not a whole number of " + RECORD + "-byte records");
        }
        for (long at = address; at < address + size; at += RECORD) {
            int off = offset(at, RECORD, "__param record");
            long name = view.getLong(off);
            long arg = view.getLong(off + 8);
            long buf = view.getLong(off + 16);
            int type = view.getInt(off + 24);
            int perm = view.getShort(off + 28) & 0xffff;
            int varSize = view.getShort(off + 30) & 0xffff;
            int bufSize = view.getInt(off + 32);
            if (type < 1 || type >= TYPES.length) {
                throw damaged("parameter record at " + ModuleStatus.hex(at) + " has unknown type " + type);
            }
            Param p = new Param(string(name, "parameter name"), arg, buf, type, perm, varSize, bufSize);
            offset(arg, type == CHARP ? 8 : Math.max(1, varSize), "parameter " + p.name());
            if (type == CHARP) {
                offset(buf, Math.max(1, bufSize), "parameter " + p.name() + "'s buffer");
            }
            params.add(p);
        }
        return params;
    }

    /**
     * The parameters {@code .modinfo} declares ({@code parmtype=NAME:TYPE}), each the global
     * variable of its name, for an object without the SDK's {@code __param} table. Such a
     * parameter is not shown under /sys (perm 0); a {@code charp} has no buffer of the loader's
     * to point at, so only the SDK's table can declare one.
     */
    List<Param> declared(Map<String, String> parmtypes, Map<String, Long> globals) throws Refused {
        List<Param> params = new ArrayList<>();
        for (var e : parmtypes.entrySet()) {
            int type = Arrays.asList(TYPES).indexOf(e.getValue());
            if (type < 1) {
                throw damaged("parameter " + e.getKey() + " has type '" + e.getValue() + "', which is none of the kernel's");
            }
            if (type == CHARP) {
                throw damaged("parameter " + e.getKey() + " is a charp, which needs the SDK's __param table for its buffer");
            }
            Long address = globals.get(e.getKey());
            if (address == null) {
                throw damaged("parameter " + e.getKey() + " has no global variable of that name");
            }
            Param p = new Param(e.getKey(), address, 0, type, 0, SIZES[type], 0);
            offset(address, SIZES[type], "parameter " + p.name());
            params.add(p);
        }
        return params;
    }

    // ------------------------------------------------------------------ setting

    /**
     * Sets every argument that names a parameter, in order (the last of a name wins); returns
     * the names set. Unknown names are ignored with the kernel's warning.
     */
    List<String> apply(List<Param> table, List<Arg> args) throws Refused {
        List<String> given = new ArrayList<>();
        for (Arg a : args) {
            Param p = null;
            for (Param candidate : table) {
                if (sameName(candidate.name(), a.name())) {
                    p = candidate;
                    break;
                }
            }
            if (p == null) {
                log.accept(module + ": unknown parameter '" + a.name() + "' ignored");
                continue;
            }
            int errno = set(p, a.value());
            if (errno == ENOSPC) {
                log.accept(module + ": `" + (a.value() == null ? "" : a.value()) + "' too large for parameter `"
                        + a.name() + "'");
                throw new Refused(errno);
            }
            if (errno != 0) {
                log.accept(module + ": `" + (a.value() == null ? "" : a.value()) + "' invalid for parameter `"
                        + a.name() + "'");
                throw new Refused(errno);
            }
            if (!given.contains(p.name())) {
                given.add(p.name());
            }
        }
        return given;
    }

    private int set(Param p, String value) throws Refused {
        int arg = offset(p.arg(), p.type() == CHARP ? 8 : p.size(), "parameter " + p.name());
        if (p.type() == BOOL || p.type() == INVBOOL) {
            int b = value == null ? 1 : strtobool(value);
            if (b < 0) {
                return EINVAL;
            }
            image[arg] = (byte) (p.type() == INVBOOL ? 1 - b : b);
            return 0;
        }
        if (value == null) {
            return EINVAL;
        }
        if (p.type() == CHARP) {
            byte[] bytes = value.getBytes(charset);
            if (bytes.length > p.bufSize() - 1) {
                return ENOSPC;
            }
            int buf = offset(p.buf(), p.bufSize(), "parameter " + p.name() + "'s buffer");
            System.arraycopy(bytes, 0, image, buf, bytes.length);
            image[buf + bytes.length] = 0;
            view.putLong(arg, p.buf());
            return 0;
        }
        boolean signed = p.type() == 2 || p.type() == 4 || p.type() == 6;
        long v;
        try {
            v = signed ? strtoll(value) : strtoull(value);
        } catch (NumberFormatException e) {
            return EINVAL;
        }
        int bits = p.size() * 8;
        if (bits < 64) {
            long min = signed ? -(1L << (bits - 1)) : 0;
            long max = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
            if (v < min || v > max) {
                return EINVAL;
            }
        }
        for (int i = 0; i < p.size(); i++) {
            image[arg + i] = (byte) (v >>> (8 * i));
        }
        return 0;
    }

    /** kstrtobool: 1, 0, or -1 for EINVAL; only the first two characters count. */
    static int strtobool(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        switch (s.charAt(0)) {
            case 'y', 'Y', '1' -> {
                return 1;
            }
            case 'n', 'N', '0' -> {
                return 0;
            }
            case 'o', 'O' -> {
                if (s.length() > 1) {
                    char c = s.charAt(1);
                    if (c == 'n' || c == 'N') {
                        return 1;
                    }
                    if (c == 'f' || c == 'F') {
                        return 0;
                    }
                }
                return -1;
            }
            default -> {
                return -1;
            }
        }
    }

    /** kstrtoull(s, 0): a leading '+', base from the prefix, digits, one optional newline. */
    static long strtoull(String s) {
        int at = 0;
        if (s.startsWith("+")) {
            at++;
        }
        int base = 10;
        if (at < s.length() && s.charAt(at) == '0') {
            if (at + 2 < s.length() && (s.charAt(at + 1) == 'x' || s.charAt(at + 1) == 'X')
                    && Character.digit(s.charAt(at + 2), 16) >= 0) {
                base = 16;
                at += 2;
            } else {
                base = 8;
            }
        }
        long value = 0;
        int digits = 0;
        while (at < s.length()) {
            int d = Character.digit(s.charAt(at), base);
            if (d < 0 || s.charAt(at) > 'f') {
                break;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, base)) > 0) {
                throw new NumberFormatException("out of range");
            }
            value = value * base + d;
            digits++;
            at++;
        }
        if (digits == 0) {
            throw new NumberFormatException("no digits");
        }
        if (at < s.length() && s.charAt(at) == '\n') {
            at++;
        }
        if (at != s.length()) {
            throw new NumberFormatException("trailing characters");
        }
        return value;
    }

    /** kstrtoll(s, 0). */
    static long strtoll(String s) {
        if (s.startsWith("-")) {
            long v = strtoull(s.substring(1));
            if (Long.compareUnsigned(v, Long.MIN_VALUE) > 0) {
                throw new NumberFormatException("out of range");
            }
            return -v;
        }
        long v = strtoull(s);
        if (v < 0) {
            throw new NumberFormatException("out of range");
        }
        return v;
    }

    // ------------------------------------------------------------------ reading back

    /** The value as /sys/module/NAME/parameters/P shows it, read from the image. */
    String show(Param p) throws Refused {
        int arg = offset(p.arg(), p.type() == CHARP ? 8 : p.size(), "parameter " + p.name());
        long raw = 0;
        for (int i = p.size() - 1; i >= 0 && p.type() != CHARP; i--) {
            raw = raw << 8 | (image[arg + i] & 0xff);
        }
        return switch (p.type()) {
            case 1 -> Long.toString(raw & 0xff);
            case 2 -> Short.toString((short) raw);
            case 3 -> Long.toString(raw & 0xffff);
            case 4 -> Integer.toString((int) raw);
            case 5 -> Long.toString(raw & 0xffffffffL);
            case 6 -> Long.toString(raw);
            case 7, 8 -> Long.toUnsignedString(raw);
            case 9 -> String.format("%#08x", raw & 0xffffffffL);
            case CHARP -> {
                long pointer = view.getLong(arg);
                yield pointer == 0 ? "(null)" : string(pointer, "parameter " + p.name() + "'s value");
            }
            case BOOL -> raw != 0 ? "Y" : "N";
            default -> raw == 0 ? "Y" : "N";
        };
    }

    // ------------------------------------------------------------------ the image

    private int offset(long address, long length, String what) throws Refused {
        long off = address - base;
        if (off < 0 || length < 0 || off + length > image.length) {
            throw damaged(what + " at " + ModuleStatus.hex(address) + " lies outside the image");
        }
        return (int) off;
    }

    private String string(long address, String what) throws Refused {
        int start = offset(address, 1, what);
        int end = start;
        while (end < image.length && image[end] != 0) {
            end++;
        }
        if (end == image.length) {
            throw damaged(what + " at " + ModuleStatus.hex(address) + " has no terminating NUL in the image");
        }
        return new String(image, start, end - start, charset);
    }

    private Refused damaged(String problem) {
        log.accept(module + ": " + problem);
        return new Refused(ENOEXEC);
    }
}
