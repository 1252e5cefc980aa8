package modtools.deps.config;

import java.util.function.Consumer;
import modtools.deps.LibkmodMessage;

/**
 * Module options on the kernel command line, read as kmod_config_parse_kcmdline reads
 * /proc/cmdline: {@code module.param=value} becomes {@code options module param=value},
 * {@code modprobe.blacklist=a,b} blacklists a and b. A word may be quoted whole
 * ({@code "mod.p=a b"}, as boot loaders pass it) and is then re-quoted around the value
 * ({@code p="a b"}); other quotes or spaces make kmod ignore the word. kmod reads at most
 * 4095 bytes.
 */
final class KernelCommandLine {
    private static final int LIMIT = 4095;
    private static final int MODNAME = 0;
    private static final int PARAM = 1;
    private static final int VALUE = 2;
    private static final int IGNORE = 3;
    private static final int COMPLETE = 4;

    private final ModprobeConfig.Builder config;
    private final Consumer<LibkmodMessage> messages;

    KernelCommandLine(ModprobeConfig.Builder config, Consumer<LibkmodMessage> messages) {
        this.config = config;
        this.messages = messages;
    }

    /**
     * kmod's state machine over the bytes, kept as it is: it cuts words in place, so
     * positions into one buffer are its working state.
     */
    void parse(byte[] content) {
        int length = Math.min(content.length, LIMIT);
        byte[] buf = new byte[length + 1];
        System.arraycopy(content, 0, buf, 0, length);
        int state = MODNAME;
        int quoteStart = -1;
        int modname = 0;
        int param = -1;
        int value = -1;
        boolean quoted = false;
        boolean more = true;
        for (int p = 0; more; p++) {
            switch (buf[p]) {
                case '"' -> {
                    quoted = !quoted;
                    // a quote may open a word only before its module name
                    if (quoted && state == MODNAME && p == modname) {
                        quoteStart = p;
                        modname = p + 1;
                    } else if (state != VALUE) {
                        state = IGNORE;
                    }
                }
                case 0, ' ', '\n', '\t', 0x0b, '\f', '\r' -> {
                    more = buf[p] != 0;
                    if (quoted && state == VALUE) {
                        // a space inside a quoted value belongs to it
                    } else if (quoted) {
                        state = IGNORE;
                    } else if (state == VALUE || state == PARAM) {
                        buf[p] = 0;
                        state = COMPLETE;
                    } else {
                        modname = p + 1;
                        state = MODNAME;
                        quoteStart = -1;
                    }
                }
                case '.' -> {
                    if (state == MODNAME) {
                        buf[p] = 0;
                        param = p + 1;
                        state = PARAM;
                    } else if (state == PARAM) {
                        state = IGNORE;
                    }
                }
                case '=' -> {
                    if (state == PARAM) {
                        value = p + 1;
                        state = VALUE;
                    } else if (state == MODNAME) {
                        state = IGNORE;
                    }
                }
                default -> { }
            }
            if (state == COMPLETE) {
                if (quoteStart >= 0 && quoteStart < modname) {
                    // move "module\0param=" over the opening quote and quote the value instead
                    System.arraycopy(buf, modname, buf, quoteStart, value - modname);
                    value--;
                    modname--;
                    param--;
                    buf[value] = '"';
                }
                result(cString(buf, modname), cString(buf, param), value < 0 ? null : cString(buf, value));
                modname = p + 1;
                state = MODNAME;
                quoteStart = -1;
            }
        }
    }

    private void result(String module, String param, String value) {
        if (module.equals("modprobe") && param.startsWith("blacklist=")) {
            // strsep keeps empty fields
            for (String name : value.split(",", -1)) {
                config.blacklist.add(name);
            }
            return;
        }
        Underscores name = Underscores.of(module);
        if (!name.valid()) {
            messages.accept(LibkmodMessage.error("libkmod-config.c", 489, "kcmdline_parse_result",
                    "Ignoring bad option on kernel command line while parsing module name: '" + name.text() + "'"));
            return;
        }
        config.options(name.text(), param);
    }

    private static String cString(byte[] buf, int from) {
        int end = from;
        while (buf[end] != 0) {
            end++;
        }
        return new String(buf, from, end - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
