package modtools.link.x86_64;

import java.nio.ByteBuffer;
import modtools.link.Architecture;
import modtools.link.Meaning;

/**
 * x86-64, after the System V psABI (AMD64 supplement), chapter 4.4.
 *
 * <p>Objects carry RELA relocations only: every addend is in the entry, never in the bytes
 * patched. Fields are little-endian and sit at any byte offset. What gcc emits for module code:
 * <ul>
 * <li>{@code -mcmodel=small -fno-pic} (and the kernel model): calls and jumps to other functions
 *     are PLT32 (binutils writes PLT32, not PC32, for {@code call foo} since 2.31), addresses
 *     taken are 32 (zero-extended: {@code movl $sym, %eax}) or 32S (sign-extended, the kernel
 *     model, whose code lives in the top 2 GiB), data accesses PC32, pointers in data 64.</li>
 * <li>{@code -fpic}: addresses of global data and functions load from the GOT with GOTPCREL,
 *     GOTPCRELX or REX_GOTPCRELX (the X forms let a linker turn the load into a {@code lea};
 *     we never do, as ld with {@code --no-relax}, so the three mean the same here).</li>
 * <li>{@code -mcmodel=large -fpic}: GOTPC64 and GOTPC32 find the GOT, GOTOFF64 addresses data
 *     from it, PLTOFF64 and GOT64 reach functions and GOT entries relative to it.</li>
 * <li>the kernel's own tables ({@code __ksymtab}, {@code .orc_unwind_ip}, {@code __bug_table},
 *     alternatives) store PC32 and PC64 offsets; {@code sym@SIZE} gives SIZE32 and SIZE64.</li>
 * </ul>
 * Dynamic types (COPY, GLOB_DAT, JUMP_SLOT, RELATIVE, IRELATIVE) belong to shared objects and
 * TLS types to threads: a module has neither, so both are unsupported.
 *
 * <p>A call to a function beyond ±2 GiB goes through a veneer: {@code jmp *0(%rip)} followed by
 * the 8-byte target, padded with {@code int3} to 16 bytes. It clobbers no register, so it is
 * transparent to any calling convention.
 */
public final class X86_64 implements Architecture {
    public static final X86_64 INSTANCE = new X86_64();

    public static final int R_X86_64_NONE = 0;
    public static final int R_X86_64_64 = 1;
    public static final int R_X86_64_PC32 = 2;
    public static final int R_X86_64_GOT32 = 3;
    public static final int R_X86_64_PLT32 = 4;
    public static final int R_X86_64_GOTPCREL = 9;
    public static final int R_X86_64_32 = 10;
    public static final int R_X86_64_32S = 11;
    public static final int R_X86_64_16 = 12;
    public static final int R_X86_64_PC16 = 13;
    public static final int R_X86_64_8 = 14;
    public static final int R_X86_64_PC8 = 15;
    public static final int R_X86_64_PC64 = 24;
    public static final int R_X86_64_GOTOFF64 = 25;
    public static final int R_X86_64_GOTPC32 = 26;
    public static final int R_X86_64_GOT64 = 27;
    public static final int R_X86_64_GOTPCREL64 = 28;
    public static final int R_X86_64_GOTPC64 = 29;
    public static final int R_X86_64_GOTPLT64 = 30;
    public static final int R_X86_64_PLTOFF64 = 31;
    public static final int R_X86_64_SIZE32 = 32;
    public static final int R_X86_64_SIZE64 = 33;
    public static final int R_X86_64_GOTPCRELX = 41;
    public static final int R_X86_64_REX_GOTPCRELX = 42;

    private static final String[] NAMES = {
        "R_X86_64_NONE", "R_X86_64_64", "R_X86_64_PC32", "R_X86_64_GOT32", "R_X86_64_PLT32",
        "R_X86_64_COPY", "R_X86_64_GLOB_DAT", "R_X86_64_JUMP_SLOT", "R_X86_64_RELATIVE",
        "R_X86_64_GOTPCREL", "R_X86_64_32", "R_X86_64_32S", "R_X86_64_16", "R_X86_64_PC16",
        "R_X86_64_8", "R_X86_64_PC8", "R_X86_64_DTPMOD64", "R_X86_64_DTPOFF64", "R_X86_64_TPOFF64",
        "R_X86_64_TLSGD", "R_X86_64_TLSLD", "R_X86_64_DTPOFF32", "R_X86_64_GOTTPOFF",
        "R_X86_64_TPOFF32", "R_X86_64_PC64", "R_X86_64_GOTOFF64", "R_X86_64_GOTPC32",
        "R_X86_64_GOT64", "R_X86_64_GOTPCREL64", "R_X86_64_GOTPC64", "R_X86_64_GOTPLT64",
        "R_X86_64_PLTOFF64", "R_X86_64_SIZE32", "R_X86_64_SIZE64", "R_X86_64_GOTPC32_TLSDESC",
        "R_X86_64_TLSDESC_CALL", "R_X86_64_TLSDESC", "R_X86_64_IRELATIVE", "R_X86_64_RELATIVE64",
        "R_X86_64_PC32_BND", "R_X86_64_PLT32_BND", "R_X86_64_GOTPCRELX", "R_X86_64_REX_GOTPCRELX",
        "R_X86_64_CODE_4_GOTPCRELX",
    };

    private X86_64() {}

    @Override
    public Howto howto(int type) {
        return switch (type) {
            case R_X86_64_NONE -> howto(Meaning.NONE, Fields.NONE);
            case R_X86_64_64 -> howto(Meaning.ABSOLUTE, Fields.WORD64);
            case R_X86_64_32 -> howto(Meaning.ABSOLUTE, Fields.WORD32);
            case R_X86_64_32S -> howto(Meaning.ABSOLUTE, Fields.WORD32S);
            case R_X86_64_16 -> howto(Meaning.ABSOLUTE, Fields.WORD16);
            case R_X86_64_8 -> howto(Meaning.ABSOLUTE, Fields.WORD8);
            case R_X86_64_PC64 -> howto(Meaning.PC_RELATIVE, Fields.WORD64);
            case R_X86_64_PC32 -> howto(Meaning.PC_RELATIVE, Fields.WORD32S);
            case R_X86_64_PC16 -> howto(Meaning.PC_RELATIVE, Fields.WORD16S);
            case R_X86_64_PC8 -> howto(Meaning.PC_RELATIVE, Fields.WORD8S);
            case R_X86_64_PLT32 -> howto(Meaning.CALL, Fields.WORD32S);
            case R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX ->
                    howto(Meaning.GOT_ENTRY_PC, Fields.WORD32S);
            case R_X86_64_GOTPCREL64 -> howto(Meaning.GOT_ENTRY_PC, Fields.WORD64);
            case R_X86_64_GOT32 -> howto(Meaning.GOT_ENTRY_OFFSET, Fields.WORD32S);
            // Without a PLT the PLT's GOT slot is the symbol's GOT entry, as in a static link.
            case R_X86_64_GOT64, R_X86_64_GOTPLT64 -> howto(Meaning.GOT_ENTRY_OFFSET, Fields.WORD64);
            case R_X86_64_GOTOFF64 -> howto(Meaning.GOT_RELATIVE, Fields.WORD64);
            case R_X86_64_GOTPC32 -> howto(Meaning.GOT_BASE_PC, Fields.WORD32S);
            case R_X86_64_GOTPC64 -> howto(Meaning.GOT_BASE_PC, Fields.WORD64);
            case R_X86_64_PLTOFF64 -> howto(Meaning.CALL_GOT_RELATIVE, Fields.WORD64);
            case R_X86_64_SIZE32 -> howto(Meaning.SIZE, Fields.WORD32);
            case R_X86_64_SIZE64 -> howto(Meaning.SIZE, Fields.WORD64);
            default -> null;
        };
    }

    // One Howto per (meaning, field) pair, made once: howto() runs for every relocation.
    private static final Howto[][] HOWTOS = new Howto[Meaning.values().length][Fields.values().length];

    static {
        for (Meaning m : Meaning.values()) {
            for (Fields f : Fields.values()) {
                HOWTOS[m.ordinal()][f.ordinal()] = new Howto(m, f);
            }
        }
    }

    private static Howto howto(Meaning meaning, Fields field) {
        return HOWTOS[meaning.ordinal()][field.ordinal()];
    }

    @Override
    public String typeName(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "relocation type " + Integer.toUnsignedString(type);
    }

    @Override
    public int gotEntrySize() {
        return 8;
    }

    @Override
    public int veneerSize() {
        return 16;
    }

    @Override
    public int veneerAlignment() {
        return 16;
    }

    @Override
    public void writeVeneer(ByteBuffer image, int at, long address, long target) {
        image.put(at, (byte) 0xff); // jmp *disp32(%rip), disp32 = 0: the quadword right after it
        image.put(at + 1, (byte) 0x25);
        image.putInt(at + 2, 0);
        image.putLong(at + 6, target);
        image.put(at + 14, (byte) 0xcc); // int3
        image.put(at + 15, (byte) 0xcc);
    }

    /**
     * The fields x86-64 relocations write, with the range each accepts, as lld checks them:
     * R_X86_64_32 zero-extends (so the value must fit unsigned), 32S and the PC-relative types
     * sign-extend, 8 and 16 take either, 64-bit fields take anything.
     */
    private enum Fields implements Field {
        NONE(0, "nothing") {
            public boolean write(ByteBuffer image, int at, long value) {
                return true;
            }
        },
        WORD8(1, "8 bits") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value < -0x80 || value > 0xff) {
                    return false;
                }
                image.put(at, (byte) value);
                return true;
            }
        },
        WORD8S(1, "8 bits (signed)") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value != (byte) value) {
                    return false;
                }
                image.put(at, (byte) value);
                return true;
            }
        },
        WORD16(2, "16 bits") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value < -0x8000 || value > 0xffff) {
                    return false;
                }
                image.putShort(at, (short) value);
                return true;
            }
        },
        WORD16S(2, "16 bits (signed)") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value != (short) value) {
                    return false;
                }
                image.putShort(at, (short) value);
                return true;
            }
        },
        WORD32(4, "32 bits (zero-extended)") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value >>> 32 != 0) {
                    return false;
                }
                image.putInt(at, (int) value);
                return true;
            }
        },
        WORD32S(4, "32 bits (sign-extended)") {
            public boolean write(ByteBuffer image, int at, long value) {
                if (value != (int) value) {
                    return false;
                }
                image.putInt(at, (int) value);
                return true;
            }
        },
        WORD64(8, "64 bits") {
            public boolean write(ByteBuffer image, int at, long value) {
                image.putLong(at, value);
                return true;
            }
        };

        private final int size;
        private final String description;

        Fields(int size, String description) {
            this.size = size;
            this.description = description;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
