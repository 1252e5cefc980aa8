package modtools.link.x86_64;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The module's own {@code init_module} and {@code cleanup_module} when several objects are one
 * module: init calls each object's init in command-line order and, when one fails, the exits
 * of the objects before it in reverse, then returns that init's result; cleanup calls every
 * exit in reverse. Both keep the stack 16-byte aligned at each call, as the ABI wants.
 */
public final class EntryStubs {
    /** R_X86_64_PLT32: a call to a function of the image. */
    public static final int PLT32 = 4;

    /** A call whose target the linker fills in: the field's offset in the stub and the function called. */
    public record Call(long offset, int function) {}

    /** The stub's code and its calls, each to be relocated with addend -4. */
    public record Stub(byte[] code, List<Call> calls) {}

    private EntryStubs() {}

    /**
     * @param inits the functions of each object's init in order, -1 for an object without one
     * @param exits the same for exits
     */
    public static Stub init(int[] inits, int[] exits) {
        Code c = new Code();
        c.bytes(0x53); // push %rbx
        List<Integer> failJumps = new ArrayList<>();
        for (int init : inits) {
            if (init < 0) {
                failJumps.add(-1);
                continue;
            }
            c.call(init);
            c.bytes(0x85, 0xc0); // test %eax,%eax
            c.bytes(0x0f, 0x85); // jne rel32
            failJumps.add(c.size());
            c.int32(0);
        }
        c.bytes(0x31, 0xc0, 0x5b, 0xc3); // xor %eax,%eax; pop %rbx; ret
        for (int k = 0; k < inits.length; k++) {
            int jump = failJumps.get(k);
            if (jump < 0) {
                continue;
            }
            c.patch32(jump, c.size() - (jump + 4));
            c.bytes(0x89, 0xc3); // mov %eax,%ebx: init's result survives the exits
            for (int j = k - 1; j >= 0; j--) {
                if (exits[j] >= 0) {
                    c.call(exits[j]);
                }
            }
            c.bytes(0x89, 0xd8, 0x5b, 0xc3); // mov %ebx,%eax; pop %rbx; ret
        }
        return c.stub();
    }

    public static Stub cleanup(int[] exits) {
        Code c = new Code();
        c.bytes(0x48, 0x83, 0xec, 0x08); // sub $8,%rsp
        for (int j = exits.length - 1; j >= 0; j--) {
            if (exits[j] >= 0) {
                c.call(exits[j]);
            }
        }
        c.bytes(0x48, 0x83, 0xc4, 0x08, 0xc3); // add $8,%rsp; ret
        return c.stub();
    }

    private static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<Call> calls = new ArrayList<>();

        void bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
        }

        void int32(int v) {
            bytes(v & 0xff, v >>> 8 & 0xff, v >>> 16 & 0xff, v >>> 24 & 0xff);
        }

        void call(int function) {
            bytes(0xe8);
            calls.add(new Call(size(), function));
            int32(0);
        }

        int size() {
            return out.size();
        }

        void patch32(int at, int value) {
            byte[] b = out.toByteArray();
            b[at] = (byte) value;
            b[at + 1] = (byte) (value >>> 8);
            b[at + 2] = (byte) (value >>> 16);
            b[at + 3] = (byte) (value >>> 24);
            out.reset();
            out.writeBytes(b);
        }

        Stub stub() {
            return new Stub(out.toByteArray(), List.copyOf(calls));
        }
    }
}
