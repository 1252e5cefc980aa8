package modtools.cli;

import java.io.File;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The entry point of the one run after a build from which bin/modtools makes the class-data
 * sharing archive: the JVM lists the classes the run loads (-XX:DumpLoadedClassList) and the
 * archive is dumped from that list. So this first loads, without initialising, every class of
 * the jar that a command may need (all but the {@code --json} library's), then runs the
 * command exactly as {@link Main} does. Later starts then find a signed or compressed
 * module's classes in the archive even when this first command was {@code --help} or a typo.
 * JNA is started too (the modfs backend's system calls), so that the JDK classes its start
 * needs (logging, among others) are in the archive for every command that loads or removes.
 */
public final class CdsTraining {
    private static final String[] PACKAGES = {"modtools/", "picocli/", "org/bouncycastle/", "org/tukaani/", "io/airlift/",
        "com/sun/jna/"};

    private CdsTraining() {}

    public static void main(String[] args) {
        preload();
        modtools.cli.modfsbackend.Backends.warmUp();
        Main.main(args);
    }

    private static void preload() {
        ClassLoader loader = CdsTraining.class.getClassLoader();
        try (JarFile jar = new JarFile(new File(CdsTraining.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()))) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && wanted(name) && !name.endsWith("-info.class")) {
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                    } catch (ClassNotFoundException | LinkageError e) {
                        // Not loadable here: the archive simply goes without it.
                    }
                }
            }
        } catch (Exception e) {
            // No jar to read (classes run from a directory): the archive holds what the command loads.
        }
    }

    private static boolean wanted(String name) {
        for (String p : PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
