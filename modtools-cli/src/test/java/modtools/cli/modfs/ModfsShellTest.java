package modtools.cli.modfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * modfs driven from bash, as docs/modfs.md promises ("mkdir, echo and cat are a complete client"):
 * an SDK example built by sdk/build-module and placed by {@code modtools link} against the
 * mount's {@code symbols} and the address {@code map} gave it, the messages that bash and
 * coreutils print for every refusal, locks between processes, and dead mounts recovered.
 * The mount is made by {@code modtools modfs mount}, so the host runs as its own daemon.
 */
class ModfsShellTest {
    private static final Path ROOT = Path.of(System.getProperty("modtools.root", "../")).toAbsolutePath().normalize();

    /** The shell's helpers: our commands on the test's class path, and checks that stop the script. */
    private static final String PRELUDE = """
            set -u
            fail() { echo "FAIL: $*" >&2; exit 1; }
            modtools() { java -XX:TieredStopAtLevel=1 -Dmodtools.argv0=modtools -cp "$MODTOOLS_CP" modtools.cli.Main "$@"; }
            # refused MESSAGE COMMAND...: COMMAND fails, and what it says contains MESSAGE.
            refused() {
              local want=$1; shift
              local said
              if said=$("$@" 2>&1); then fail "$* succeeded"; fi
              [[ $said == *"$want"* ]] || fail "$*: said '$said', not '$want'"
              echo "refused: $* -> $want"
            }
            # until_there FILE: waits up to 5 s for FILE to appear.
            until_there() { local i; for i in $(seq 500); do [ -e "$1" ] && return 0; sleep 0.01; done; return 1; }
            # kill_host: SIGKILL to the mount's host, then up to 5 s for the mount to stop answering.
            kill_host() {
              kill -9 "$(cat "$M.pid")"
              local i; for i in $(seq 500); do ls "$M" >/dev/null 2>&1 || break; sleep 0.01; done
            }
            # unmounted: nothing is mounted on $M any more.
            unmounted() { ! grep -q " $M " /proc/self/mountinfo || fail "still mounted"; }
            # load DIR KO: mkdir, size the module file by a first link, map, link at the address, write.
            place() {
              local dir=$1 ko=$2 name; name=$(basename "$dir")
              modtools link "$ko" --base 0 --symbols "$M/symbols" -o "$WORK/$name.probe" || fail "link $ko at 0"
              truncate -s "$(stat -c %s "$WORK/$name.probe")" "$dir/module" || fail "truncate $dir/module"
              echo "map module" > "$dir/control" || fail "map $dir"
              local address; address=$(sed -n 2p "$dir/module")
              modtools link "$ko" --base "$address" --symbols "$M/symbols" -o "$WORK/$name.img" || fail "link $ko"
              dd if="$WORK/$name.img" of="$dir/module" conv=notrunc status=none || fail "write $dir/module"
            }
            """;

    @TempDir
    Path work;
    private Path mount;

    @BeforeEach
    void build() throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        mount = work.resolve("modfs");
        for (List<String> sources : List.of(
                List.of("modfs_demo_lib.c", "modfs_demo_lib_counter.c"), List.of("modfs_demo_fail.c"))) {
            String name = sources.get(0).replace(".c", "");
            List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("sdk/build-module").toString(),
                    "-o", work.resolve(name + ".ko").toString()));
            sources.forEach(s -> command.add(ROOT.resolve("sdk/examples").resolve(s).toString()));
            Result built = run(command, "");
            assertEquals(0, built.status(), built.output());
        }
    }

    @AfterEach
    void unmount() throws Exception {
        // Whatever a failed script left mounted; harmless when nothing is.
        run(List.of("bash", "-c", "umount -l \"$M\" 2>/dev/null; kill $(cat \"$M.pid\" 2>/dev/null) 2>/dev/null; true"),
                "");
    }

    @Test
    void theSeedFlowAndEveryRefusalFromBash() throws Exception {
        Result r = passes("""
                start=$(date +%s%N)
                modtools modfs mount "$M" || fail "mount"
                echo "mount returned after $(( ($(date +%s%N) - start) / 1000000 )) ms"
                grep -q " $M rw,.* - fuse.modfs " /proc/self/mountinfo || fail "$M is not in mountinfo"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "version: $(cat "$M/version")"
                grep -Eq '^[0-9a-f]{16} T modfs_log$' "$M/symbols" || fail "modfs_log is not in symbols"
                refused "Permission denied" bash -c "echo 2.0 > $M/version"

                L=$M/modfs_demo_lib
                mkdir "$L" || fail "mkdir"
                refused "File exists" mkdir "$L"
                [ "$(ls "$L")" = "$(printf 'control\\ninfo')" ] || fail "$L holds $(ls "$L")"
                refused "No such file or directory" bash -c "echo 'map module' > $L/control"
                refused "Invalid argument" bash -c "echo 'load module' > $L/control"
                refused "Invalid argument" bash -c "echo 'map info' > $L/control"
                refused "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups mkdir "$M/theirs"
                refused "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups \\
                  bash -c "echo 'map module' > $L/control"

                place "$L" "$WORK/modfs_demo_lib.ko"
                cat "$L/module"
                [ "$(sed -n 1p "$L/module")" = mapped ] || fail "not mapped: $(cat "$L/module")"
                refused "File exists" bash -c "echo 'map module' > $L/control"
                refused "Operation not permitted" truncate -s +4096 "$L/module"
                refused "Device or resource busy" rm "$L/module"
                refused "Device or resource busy" rmdir "$L"

                echo "init module" > "$L/control" || fail "init"
                grep "modfs_demo_lib: loaded, counter at 0" "$M/log" || fail "no message from init in the log"
                grep -Eq '^\\[ *[0-9]+\\.[0-9]{6}\\] modfs_demo_lib: loaded' "$M/log" || fail "no timestamp"
                [ "$(sed -n 1p "$L/module")" = live ] || fail "not live: $(cat "$L/module")"
                cat "$L/control"
                refused "File exists" bash -c "echo 'init module' > $L/control"
                refused "Device or resource busy" bash -c "echo 'unmap module' > $L/control"
                refused "Device or resource busy" dd if="$WORK/modfs_demo_lib.img" of="$L/module" conv=notrunc status=none
                core=$(od -An -tu8 -j16 -N8 "$WORK/modfs_demo_lib.img" | tr -d ' ')
                refused "Device or resource busy" truncate -s $((core - 4096)) "$L/module"
                truncate -s "$core" "$L/module" || fail "dropping the init tail"
                [ "$(sed -n 3p "$L/module")" = "$core" ] || fail "size after the shrink: $(cat "$L/module")"

                echo "exit module" > "$L/control" || fail "exit"
                grep "modfs_demo_lib: unloaded after" "$M/log" || fail "no message from exit in the log"
                echo "unmap module" > "$L/control" || fail "unmap"
                refused "Invalid argument" bash -c "echo 'unmap module' > $L/control"
                refused "Directory not empty" rmdir "$L"
                rm "$L/module" || fail "rm"
                rmdir "$L" || fail "rmdir"
                [ ! -e "$L" ] || fail "$L is still there"

                F=$M/modfs_demo_fail
                mkdir "$F" && place "$F" "$WORK/modfs_demo_fail.ko"
                refused "No such device" bash -c "echo 'init module' > $F/control"
                [ "$(sed -n 1p "$F/module")" = failed ] || fail "not failed: $(cat "$F/module")"
                echo "unmap module" > "$F/control" && rm "$F/module" && rmdir "$F" || fail "cleaning up after a failed init"

                C=$M/corrupt
                mkdir "$C" && place "$C" "$WORK/modfs_demo_lib.ko"
                printf 'ELF!' | dd of="$C/module" conv=notrunc status=none
                refused "Exec format error" bash -c "echo 'init module' > $C/control"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "the host stopped answering"
                grep "corrupt/module: init: magic 0x21464c45 is not MODF" "$M/log" || fail "no reason in the log"

                # Live at umount: the host exits it before it goes.
                mkdir "$M/lib2" && place "$M/lib2" "$WORK/modfs_demo_lib.ko" && echo "init module" > "$M/lib2/control" \\
                  || fail "second load"
                modtools modfs umount "$M" || fail "umount"
                unmounted
                [ ! -e "$M.pid" ] || fail "the pid file stayed"
                refused "not mounted" modtools modfs umount "$M"
                echo done
                """);
        assertTrue(r.output().contains("refused: truncate -s +4096"), r.output());
        assertTrue(r.output().endsWith("done\n"), r.output());
    }

    @Test
    void flockOnInfoConflictsBetweenProcesses() throws Exception {
        passes("""
                modtools modfs mount "$M" || fail "mount"
                mkdir "$M/locked" || fail mkdir
                # The holder is one process, so that killing it lets go of the lock.
                ( exec 9<"$M/locked/info"; flock -s 9; touch "$WORK/holding"; exec sleep 30 ) &
                holder=$!
                until_there "$WORK/holding" || fail "the holder never took its lock"
                if flock -xn "$M/locked/info" true; then fail "flock -xn got the lock a reader holds"; fi
                flock -sn "$M/locked/info" true || fail "a second shared lock was refused"
                kill $holder; wait $holder 2>/dev/null
                flock -xn "$M/locked/info" true || fail "flock -xn refused after the holder went"
                modtools modfs umount "$M" || fail "umount"
                echo done
                """);
    }

    /**
     * A lock held blocks root's loaders, so uid 65534 may take none on root's mount; root's own
     * locks exclude each other across processes, a blocked waiter goes on when the holder is
     * killed, and a waiter killed by SIGINT or SIGKILL goes at once without the lock.
     */
    @Test
    void flockIsRootsAloneAndWaitersGoOnSignals() throws Exception {
        Result r = passes("""
                as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
                ms() { echo $(( $(date +%s%N) / 1000000 )); }
                modtools modfs mount "$M" || fail "mount"
                mkdir "$M/locked" || fail mkdir
                truncate -s 4096 "$M/locked/module" || fail "module file"
                for f in info control module; do
                  for mode in -s -x "-s -n" "-x -n"; do
                    refused "Permission denied" as_nobody bash -c "exec 9<'$M/locked/$f'; flock $mode 9"
                  done
                done

                ( exec 9<"$M/locked/info"; flock -x 9; touch "$WORK/holding"; exec sleep 60 ) &
                holder=$!
                until_there "$WORK/holding" || fail "the holder never took its lock"
                flock -xn "$M/locked/info" true; [ $? = 1 ] || fail "flock -xn got the lock another process holds"
                flock -sn "$M/locked/info" true; [ $? = 1 ] || fail "flock -sn got the lock another process holds"
                flock -x "$M/locked/info" touch "$WORK/waited" &
                waiter=$!
                sleep 0.5
                [ ! -e "$WORK/waited" ] || fail "the blocking flock did not wait"
                kill -KILL $holder; wait $holder 2>/dev/null
                until_there "$WORK/waited" || fail "the waiter did not go on when the holder was killed"
                wait $waiter || fail "the waiter failed"

                ( exec 9<"$M/locked/info"; flock -s 9; touch "$WORK/holding2"; exec sleep 60 ) &
                holder=$!
                until_there "$WORK/holding2" || fail "the second holder never took its lock"
                for signal in INT KILL; do
                  env --default-signal=INT flock -x "$M/locked/info" touch "$WORK/got-$signal" &
                  waiter=$!
                  sleep 0.5
                  start=$(ms); kill -$signal $waiter; wait $waiter 2>/dev/null; took=$(( $(ms) - start ))
                  echo "a waiter killed by SIG$signal went after $took ms"
                  [ "$took" -lt 2000 ] || fail "the waiter took $took ms to die of SIG$signal"
                  [ ! -e "$WORK/got-$signal" ] || fail "the waiter killed by SIG$signal got the lock"
                done
                flock -sn "$M/locked/info" true || fail "a shared lock beside the holder's was refused"
                kill -KILL $holder; wait $holder 2>/dev/null
                flock -xn "$M/locked/info" true || fail "the lock stayed with a killed waiter or holder"
                modtools modfs umount "$M" || fail "umount"
                echo done
                """);
        assertTrue(r.output().endsWith("done\n"), r.output());
    }

    @Test
    void aDeadMountIsRecoveredByMountAndByUmount() throws Exception {
        passes("""
                modtools modfs mount "$M" || fail "mount"
                kill_host
                refused "Transport endpoint is not connected" ls "$M"
                modtools modfs mount "$M" 2>"$WORK/said" || fail "mount over a dead mount: $(cat "$WORK/said")"
                grep -q "detached the dead mount" "$WORK/said" || fail "mount said: $(cat "$WORK/said")"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "the new mount does not answer"
                refused "already mounted" modtools modfs mount "$M"
                kill_host
                modtools modfs umount "$M" 2>"$WORK/said" || fail "umount of a dead mount: $(cat "$WORK/said")"
                grep -q "detached the dead mount" "$WORK/said" || fail "umount said: $(cat "$WORK/said")"
                unmounted
                echo done
                """);
    }

    @Test
    void aFaultingInitFailsItsModuleAndTheDaemonWritesOnlyInItsStateDirectory() throws Exception {
        passes("""
                cat > "$WORK/modfs_test_oops.c" <<'C'
                #include <modfs/module.h>
                static int __init oops_init(void)
                {
                	pr_info("about to write through NULL\\n");
                	*(volatile int *) 0 = 1;
                	return 0;
                }
                static void __exit oops_exit(void) { }
                module_init(oops_init);
                module_exit(oops_exit);
                MODULE_LICENSE("GPL");
                C
                "$SDK/build-module" -o "$WORK/modfs_test_oops.ko" "$WORK/modfs_test_oops.c" || fail "build"
                mkdir "$WORK/cwd" "$WORK/state"
                before=$(ls -a /)
                cd "$WORK/cwd"
                MODFS_STATE_DIR=$WORK/state modtools modfs mount "$M" || fail "mount"
                host=$(cat "$M.pid")
                [ "$(readlink /proc/$host/cwd)" = "$WORK/state" ] || fail "the host runs in $(readlink /proc/$host/cwd)"
                tr '\\0' '\\n' </proc/$host/cmdline | grep -qx -- "-XX:ErrorFile=$WORK/state/hs_err_pid%p.log" \\
                  || fail "the host's crash reports do not go to the state directory"
                grep -q "state directory $WORK/state" "$M/log" || fail "the host does not say where its state is"
                mkdir "$M/modfs_demo_lib" && place "$M/modfs_demo_lib" "$WORK/modfs_demo_lib.ko" \\
                  && echo "init module" > "$M/modfs_demo_lib/control" || fail "load the library"
                O=$M/modfs_test_oops
                mkdir "$O" && place "$O" "$WORK/modfs_test_oops.ko"
                refused "Bad address" bash -c "echo 'init module' > $O/control"
                [ "$(sed -n 1p "$O/module")" = failed ] || fail "not failed: $(cat "$O/module")"
                [ "$(cat "$M/taint")" = 128 ] || fail "taint: $(cat "$M/taint")"
                grep "BUG: kernel NULL pointer dereference, address: 0000000000000000" "$M/log" || fail "no oops"
                grep "modfs_test_oops/module: init faulted (SIGSEGV)" "$M/log" || fail "no word of the module"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "the host stopped answering"
                [ "$(sed -n 1p "$M/modfs_demo_lib/module")" = live ] || fail "the library is no longer live"
                echo "unmap module" > "$O/control" && rm "$O/module" && rmdir "$O" || fail "removing the failed module"
                modtools modfs umount "$M" || fail "umount"
                [ -z "$(ls -A "$WORK/cwd")" ] || fail "written in the working directory: $(ls -A "$WORK/cwd")"
                [ "$(ls -a /)" = "$before" ] || fail "written in /: $(ls -a /)"
                ls "$WORK/state" | grep -v '^modfs-mount.*\\.err$' && fail "unexpected files in the state directory"
                echo done
                """);
    }

    @Test
    void umountTouchesNoPidFileBesideWhatIsNotAModfsMount() throws Exception {
        passes("""
                P=$WORK/plain; mkdir "$P"; echo 4242 > "$P.pid"
                refused "not mounted" modtools modfs umount "$P"
                [ "$(cat "$P.pid")" = 4242 ] || fail "the plain directory's pid file was touched"
                T=$WORK/tmpfs; mkdir "$T"; mount -t tmpfs none "$T" || fail "mount tmpfs"
                echo $$ > "$T.pid"
                refused "not mounted" modtools modfs umount "$T"
                [ "$(cat "$T.pid")" = $$ ] || fail "the tmpfs's pid file was touched"
                grep -q " $T .* - tmpfs " /proc/self/mountinfo || fail "the tmpfs went away"
                umount "$T"
                refused "not mounted" modtools modfs umount "$WORK/nothing"
                [ ! -e "$WORK/nothing.pid" ] || fail "umount made a pid file"
                echo done
                """);
    }

    @Test
    void eightMountsOfOneDirectoryMakeOneMountAndOneHost() throws Exception {
        passes("""
                for i in 1 2 3 4 5 6 7 8; do
                  ( modtools modfs mount "$M" >"$WORK/mount.$i" 2>&1; echo $? >"$WORK/status.$i" ) &
                done
                wait
                ok=$(cat "$WORK"/status.* | grep -c '^0$')
                [ "$ok" = 1 ] || fail "$ok mounts succeeded: $(cat "$WORK"/mount.*)"
                grep -h . "$WORK"/mount.* | grep -v "already mounted" && fail "a mount said something else"
                mounts=$(grep -c " $M .* - fuse.modfs " /proc/self/mountinfo)
                [ "$mounts" = 1 ] || fail "$mounts mounts on $M"
                hosts=$(pgrep -fc -- "--foreground $M\\$")
                [ "$hosts" = 1 ] || fail "$hosts hosts for $M"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "the mount does not answer"
                modtools modfs umount "$M" || fail "umount"
                [ ! -e "$M.pid" ] || fail "the pid file stayed"
                echo done
                """);
    }

    @Test
    void mountsAndUmountsRacingNeverLeaveADeadMount() throws Exception {
        passes("""
                for round in 1 2 3 4 5; do
                  ( modtools modfs mount "$M" >/dev/null 2>&1 ) & ( modtools modfs umount "$M" >/dev/null 2>&1 ) &
                  ( modtools modfs mount "$M" >/dev/null 2>&1 ) & wait
                  if grep -q " $M .* - fuse.modfs " /proc/self/mountinfo; then
                    [ "$(cat "$M/version" 2>&1)" = 1.0.0-modfs ] || fail "round $round: a dead mount: $(ls "$M" 2>&1)"
                    [ "$(grep -c " $M .* - fuse.modfs " /proc/self/mountinfo)" = 1 ] || fail "round $round: stacked mounts"
                    [ "$(pgrep -fc -- "--foreground $M\\$")" = 1 ] || fail "round $round: not one host"
                  fi
                done
                modtools modfs umount "$M"
                unmounted
                echo done
                """);
    }

    @Test
    void anUnprivilegedUmountIsRefusedAtOnce() throws Exception {
        passes("""
                modtools modfs mount "$M" || fail "mount"
                # The class path where uid 65534 can read it.
                mkdir "$WORK/cp"; cp=""; i=0
                for e in ${MODTOOLS_CP//:/ }; do i=$((i + 1)); cp -r "$e" "$WORK/cp/$i"; cp+="$WORK/cp/$i:"; done
                chmod -R a+rX "$WORK/cp"
                as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups \
                  env MODTOOLS_CP="$cp" bash -c "$(declare -f modtools); modtools $*"; }
                # "At once" against a JVM that only prints its help, timed at the same load: the
                # refusal the test guards against waited 60 s for a host that would never stop.
                start=$(date +%s%N); as_nobody modfs --help >/dev/null 2>&1
                baseline=$(( ($(date +%s%N) - start) / 1000000 ))
                start=$(date +%s%N)
                refused "$M: Operation not permitted" as_nobody modfs umount "$M"
                took=$(( ($(date +%s%N) - start) / 1000000 ))
                [ "$took" -lt $(( 2 * baseline + 10000 )) ] || fail "the refusal took $took ms, a JVM's start $baseline ms"
                [ "$(cat "$M/version")" = 1.0.0-modfs ] || fail "the mount went away"
                modtools modfs umount "$M" || fail "umount"
                echo done
                """);
    }

    private record Result(int status, String output) {}

    /** The script run to its end: exit status 0, or the test fails with what it printed. */
    private Result passes(String body) throws Exception {
        Result r = run(List.of("bash", "-c", PRELUDE + body), "");
        assertEquals(0, r.status(), r.output());
        return r;
    }

    private Result run(List<String> command, String input) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("WORK", work.toString());
        pb.environment().put("M", mount.toString());
        pb.environment().put("MODTOOLS_CP", classPath());
        pb.environment().put("SDK", ROOT.resolve("sdk").toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
    }

    /** The test's real class path: surefire runs tests from a jar that only points to it. */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
