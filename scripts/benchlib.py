"""What the benchmark scripts share: timing a command, its peak RSS, the summary line."""
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
TIME = "/usr/bin/time"  # GNU time: its small process forks the measured one


def run_once(argv):
    """Wall seconds of one run with the output discarded."""
    with open(os.devnull, "rb") as devnull_in, open(os.devnull, "wb") as devnull_out:
        start = time.perf_counter()
        subprocess.run(argv, stdin=devnull_in, stdout=devnull_out, stderr=devnull_out, check=False)
        return time.perf_counter() - start


def peak_rss(argv):
    """Peak RSS in KiB of one run. A child forked by Python starts with Python's pages
    counted, so GNU time does the fork when it is installed."""
    with open(os.devnull, "rb") as devnull_in, open(os.devnull, "wb") as devnull_out, \
            tempfile.NamedTemporaryFile("r") as report:
        if os.access(TIME, os.X_OK):
            subprocess.run([TIME, "-f", "%M", "-o", report.name] + argv,
                           stdin=devnull_in, stdout=devnull_out, stderr=devnull_out, check=False)
            return int(report.read().split()[-1])
        proc = subprocess.Popen(argv, stdin=devnull_in, stdout=devnull_out, stderr=devnull_out)
        return os.wait4(proc.pid, 0)[2].ru_maxrss


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
