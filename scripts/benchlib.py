"""What the benchmark scripts share: timing a command, its peak RSS, the summary line."""
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# Every call of ours starts a JVM of its own unless a benchmark asks for its Server: no call
# may start a user's resident server, or leave one behind.
os.environ["MODTOOLS_SERVER"] = "off"
TIME = "/usr/bin/time"  # GNU time: its small process forks the measured one


def run_once(argv, env=None):
    """Wall seconds of one run with the output discarded."""
    with open(os.devnull, "rb") as devnull_in, open(os.devnull, "wb") as devnull_out:
        start = time.perf_counter()
        subprocess.run(argv, stdin=devnull_in, stdout=devnull_out, stderr=devnull_out, check=False, env=env)
        return time.perf_counter() - start


def peak_rss(argv, env=None):
    """Peak RSS in KiB of one run. A child forked by Python starts with Python's pages
    counted, so GNU time does the fork when it is installed."""
    with open(os.devnull, "rb") as devnull_in, open(os.devnull, "wb") as devnull_out, \
            tempfile.NamedTemporaryFile("r") as report:
        if os.access(TIME, os.X_OK):
            subprocess.run([TIME, "-f", "%M", "-o", report.name] + argv,
                           stdin=devnull_in, stdout=devnull_out, stderr=devnull_out, check=False, env=env)
            return int(report.read().split()[-1])
        proc = subprocess.Popen(argv, stdin=devnull_in, stdout=devnull_out, stderr=devnull_out, env=env)
        return os.wait4(proc.pid, 0)[2].ru_maxrss


class Server:
    """A modtools server of the benchmark's own, in a temporary directory, for as long as the
    with-block lasts. Calls with served() as environment run through the native client on it
    (MODTOOLS_SERVER=only: a call it does not take fails instead of starting a JVM); calls
    with in_jvm() start a JVM each, as without a server."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="bench-server.")
        env = dict(os.environ, MODTOOLS_SERVER_IDLE="86400")
        self.process = subprocess.Popen([os.path.join(ROOT, "bin", "modtools"), "server", "--dir", self.dir],
                                        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not os.path.exists(os.path.join(self.dir, "socket")):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: the modtools server did not start")
            time.sleep(0.01)
        return self

    def served(self):
        return dict(os.environ, MODTOOLS_SERVER="only", MODTOOLS_SERVER_DIR=self.dir)

    @staticmethod
    def in_jvm():
        return dict(os.environ, MODTOOLS_SERVER="off")

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def alternate_runs(commands, runs, before_each=None):
    """Median wall seconds of each (argv, env) in the dict, run in turn RUNS times;
    before_each(name), if given, runs before each timing."""
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            if before_each:
                before_each(name)
            times[name].append(run_once(argv, env))
    return {name: statistics.median(t) for name, t in times.items()}


def report_served(label, reference, ours_jvm_s, ours_served_s, reference_s):
    print(f"{label}: in a JVM {ours_jvm_s * 1000:.0f} ms, served {ours_served_s * 1000:.0f} ms, "
          f"{reference} {reference_s * 1000:.0f} ms; ratio to {reference}: in a JVM {ours_jvm_s / reference_s:.2f}, "
          f"served {ours_served_s / reference_s:.2f}")


def alternate(ours, kmod, runs, before_each=None):
    """Median wall seconds of each command, run alternately so machine load hits both alike."""
    times = {"ours": [], "kmod": []}
    for _ in range(runs):
        for name, argv in (("ours", ours), ("kmod", kmod)):
            if before_each:
                before_each()
            times[name].append(run_once(argv))
    return statistics.median(times["ours"]), statistics.median(times["kmod"])


def report(label, ours_s, kmod_s, ours_kib, kmod_kib):
    print(f"{label}: ours {ours_s * 1000:.0f} ms, kmod {kmod_s * 1000:.0f} ms, "
          f"ratio ours/kmod {ours_s / kmod_s:.2f}; peak RSS ours {ours_kib / 1024:.0f} MiB, "
          f"kmod {kmod_kib / 1024:.0f} MiB")
