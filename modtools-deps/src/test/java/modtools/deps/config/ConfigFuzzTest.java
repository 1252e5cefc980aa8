package modtools.deps.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.deps.LibkmodMessage;

/**
 * modprobe.d and the kernel command line on any bytes: every line kmod cannot use becomes a
 * message, never an exception; what was parsed still builds a configuration.
 */
class ConfigFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void modprobeConf(byte[] bytes) {
        List<LibkmodMessage> messages = new ArrayList<>();
        ModprobeConfig.Builder builder = new ModprobeConfig.Builder();
        new ConfigParser(builder, KmodLevel.KMOD34, messages::add).parse("fuzz.conf", bytes);
        builder.build();
    }

    @FuzzTest(maxDuration = "10m")
    void kernelCommandLine(byte[] bytes) {
        List<LibkmodMessage> messages = new ArrayList<>();
        ModprobeConfig.Builder builder = new ModprobeConfig.Builder();
        new KernelCommandLine(builder, messages::add).parse(bytes);
        builder.build();
    }
}
