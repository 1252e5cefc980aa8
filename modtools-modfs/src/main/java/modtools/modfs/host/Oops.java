package modtools.modfs.host;

import java.util.ArrayList;
import java.util.List;
import modtools.contract.ModuleSymbols;

/**
 * A fault in module code told in the words of the kernel's oops (arch/x86/mm/fault.c,
 * arch/x86/kernel/traps.c, lib/vsprintf.c's {@code %pS}), so that whoever reads the log reads
 * it as they would read dmesg: what went wrong at which address, the oops line with its count,
 * where it happened as {@code RIP: 0010:NAME+0xOFF/0xSIZE [module]}, and the end of the trace.
 */
public final class Oops {
    private static final long PAGE = 4096;
    private static final int SEGV_ACCERR = 2;
    private static final int BUS_ADRERR = 2;

    private Oops() {}

    /**
     * The lines for {@code fault}, the {@code number}th oops of this host, in module
     * {@code module}'s {@code where} (init, exit, a thread), named by {@code symbols}.
     */
    public static List<String> lines(Fault fault, int number, String module, String where, ModuleSymbols symbols) {
        List<String> lines = new ArrayList<>();
        String address = String.format("%016x", fault.address());
        switch (fault.signal()) {
            case Fault.SIGSEGV -> {
                lines.add(Long.compareUnsigned(fault.address(), PAGE) < 0
                        ? "BUG: kernel NULL pointer dereference, address: " + address
                        : "BUG: unable to handle page fault for address: " + address);
                lines.add("#PF: supervisor " + access(fault.error()) + " in kernel mode");
                lines.add(String.format("#PF: error_code(0x%04x) - %s", fault.error(),
                        fault.code() == SEGV_ACCERR ? "permissions violation" : "not-present page"));
                lines.add(String.format("Oops: %04x [#%d]", fault.error(), number));
            }
            case Fault.SIGBUS -> {
                lines.add("BUG: unable to handle page fault for address: " + address);
                lines.add("#PF: bus error: " + (fault.code() == BUS_ADRERR
                        ? "the page lies past the end of the file mapped there" : "si_code " + fault.code()));
                lines.add(String.format("Oops: %04x [#%d]", fault.error(), number));
            }
            case Fault.SIGILL -> lines.add(String.format("invalid opcode: 0000 [#%d]", number));
            case Fault.SIGFPE -> lines.add(String.format("divide error: 0000 [#%d]", number));
            default -> lines.add(String.format("%s: 0000 [#%d]", fault.signalName(), number));
        }
        lines.add("Comm: " + module + " (" + where + ") Tainted: G      D");
        lines.add("RIP: 0010:" + symbols.describe(fault.pc()).orElse(String.format("0x%x [%s]", fault.pc(), module)));
        lines.add("---[ end trace " + String.format("%016x", number) + " ]---");
        return lines;
    }

    private static String access(long error) {
        if ((error & 16) != 0) {
            return "instruction fetch";
        }
        return (error & 2) != 0 ? "write access" : "read access";
    }
}
