/*
 * The native client of the modtools server: runs a call in the user's resident JVM instead of
 * starting one. It sends its argv, environment, working directory and its standard input,
 * output and error as descriptors (SCM_RIGHTS), so the command writes straight into the
 * caller's files; forwards SIGINT, SIGTERM and SIGHUP as a cancel and then dies of the same
 * signal; and exits with the command's status. With no server it starts one and waits for it,
 * once; whenever the server cannot take the call it runs the launcher again with
 * MODTOOLS_SERVER=off, which starts a JVM of its own as before. MODTOOLS_SERVER=only is for
 * tests and benchmarks, which must know where a call ran: no server is started, and a call
 * no server takes fails with status 125 and one line.
 *
 * Usage (by bin/modtools only): modtools-client LAUNCHER ARGV0 JAR [ARG...]
 * LAUNCHER starts the server; ARGV0 is the path the launcher was called by, passed to the
 * command as typed and run again for the fallback; JAR identifies the build: its canonical
 * path, inode, size and modification time (modtools.cli.server.BuildId).
 *
 * A caller may have closed stderr: kmod's modprobe then logs to syslog, so the client notes it
 * before it opens anything (the first descriptor opened would become stderr), holds /dev/null
 * there for itself, and tells the server in the request, or closes it again before running the
 * launcher, which notes it in turn for the JVM it starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Must match modtools.cli.server.Request. */
#define MAGIC "MT2"
#define MAX_REQUEST (4 << 20)
/* How long a server just started may take to listen (a JVM start on a busy machine). */
#define START_WAIT_MS 20000

extern char **environ;

static const char *launcher, *argv0, *jar;
static int nargs;
static char **args;
static char dir[4096];
static volatile sig_atomic_t caught;
static volatile sig_atomic_t sock = -1;
static int stderr_closed;

static void run_in_own_jvm(void) {
	setenv("MODTOOLS_SERVER", "off", 1);
	char **argv = calloc((size_t)nargs + 2, sizeof *argv);
	if (argv == NULL) {
		perror("modtools");
		exit(1);
	}
	argv[0] = (char *)argv0;
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (stderr_closed)
		close(2);
	if (strchr(argv0, '/') != NULL)
		execv(argv0, argv);
	else
		execvp(argv0, argv);
	fprintf(stderr, "modtools: cannot run %s: %s\n", argv0, strerror(errno));
	exit(1);
}

static int only_served;

/* A call the server did not take: in a JVM of its own, or not at all with MODTOOLS_SERVER=only. */
static void not_served(const char *why) {
	if (only_served) {
		fprintf(stderr, "modtools: not served (MODTOOLS_SERVER=only): %s\n", why);
		exit(125);
	}
	run_in_own_jvm();
}

static void on_signal(int sig) {
	caught = sig;
	if (sock >= 0) {
		int saved = errno;
		send(sock, "c", 1, MSG_NOSIGNAL);
		errno = saved;
	}
}

/* Whether others than the user (and root) could replace what path holds: a socket, or the directory. */
static int open_to_others(const char *path, int directory) {
	struct stat st;
	if (lstat(path, &st) < 0)
		return 1;
	if (directory)
		return !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0;
	return !S_ISDIR(st.st_mode) || (st.st_uid != getuid() && st.st_uid != 0) ||
	       ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0);
}

/* The directory of the user's server (see modtools.cli.server.SocketDirectory); 0 when there is
   none to use. */
static int find_dir(void) {
	const char *given = getenv("MODTOOLS_SERVER_DIR");
	if (given != NULL && given[0] == '/') {
		snprintf(dir, sizeof dir, "%s", given);
	} else if (getuid() == 0) {
		snprintf(dir, sizeof dir, "/run/modtools/server");
	} else {
		const char *runtime = getenv("XDG_RUNTIME_DIR");
		if (runtime == NULL || runtime[0] != '/')
			return 0;
		snprintf(dir, sizeof dir, "%s/modtools/server", runtime);
	}
	if (strlen(dir) + sizeof "/socket" > sizeof(((struct sockaddr_un *)0)->sun_path))
		return 0;
	char parent[sizeof dir];
	snprintf(parent, sizeof parent, "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = 0;
	else
		*slash = 0;
	if (given == NULL || given[0] != '/')
		mkdir(parent, getuid() == 0 ? 0755 : 0700);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return 0;
	/* Whoever else can enter the directory, or replace it, could answer in the server's place. */
	if (open_to_others(parent, 0) || open_to_others(dir, 1)) {
		fprintf(stderr, "modtools: %s is not a directory of uid %u closed to others; running without the server\n",
			dir, (unsigned)getuid());
		return 0;
	}
	return 1;
}

static int connect_server(void) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t n = strlen(dir); /* find_dir made sure the whole path fits */
	memcpy(addr.sun_path, dir, n);
	memcpy(addr.sun_path + n, "/socket", sizeof "/socket");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Starts `LAUNCHER server --dir DIR` in a session of its own; returns a descriptor that reads
   end of file when that server has exited (its write end stays open in the server). */
static int start_server(void) {
	int alive[2];
	if (pipe2(alive, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(alive[0]);
		close(alive[1]);
		return -1;
	}
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (alive[1] != 3) {
			dup2(alive[1], 3);
		} else {
			fcntl(3, F_SETFD, 0);
		}
		unsetenv("MODTOOLS_SERVER");
		execl(launcher, launcher, "server", "--dir", dir, (char *)NULL);
		_exit(127);
	}
	close(alive[1]);
	waitpid(pid, NULL, 0);
	return alive[0];
}

/* Connects to a server started just now, or gives up when it exits or takes too long. */
static int wait_for_server(int alive) {
	for (int waited = 0; waited < START_WAIT_MS; waited += 5) {
		int fd = connect_server();
		if (fd >= 0)
			return fd;
		struct pollfd p = {.fd = alive, .events = POLLIN};
		if (poll(&p, 1, 5) > 0)
			return connect_server(); /* it exited: perhaps another one took its place */
	}
	return -1;
}

static int append(char *buf, size_t *len, const char *s) {
	size_t n = strlen(s) + 1;
	if (*len + n > MAX_REQUEST)
		return 0;
	memcpy(buf + *len, s, n);
	*len += n;
	return 1;
}

/* The request after its length: see modtools.cli.server.Request. */
static char *build_request(size_t *len) {
	char build[4608], cwd[4096], count[16], canonical[4096];
	struct stat st;
	if (realpath(jar, canonical) == NULL || stat(canonical, &st) < 0 || getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	snprintf(build, sizeof build, "%s:%llu:%lld:%lld.%09ld", canonical, (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	snprintf(count, sizeof count, "%d", nargs);
	char *buf = malloc(MAX_REQUEST);
	if (buf == NULL)
		return NULL;
	*len = 0;
	int ok = append(buf, len, MAGIC) && append(buf, len, build) && append(buf, len, cwd) &&
		 append(buf, len, argv0) && append(buf, len, stderr_closed ? "closed" : "open") &&
		 append(buf, len, count);
	for (int i = 0; ok && i < nargs; i++)
		ok = append(buf, len, args[i]);
	for (char **e = environ; ok && *e != NULL; e++)
		ok = append(buf, len, *e);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int send_request(int fd, const char *payload, size_t len) {
	uint32_t header = (uint32_t)len;
	struct iovec iov[2] = {{.iov_base = &header, .iov_len = sizeof header},
			       {.iov_base = (void *)payload, .iov_len = len}};
	int fds[3] = {0, 1, 2};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof fds)];
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = control.buf,
			     .msg_controllen = sizeof control.buf};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cmsg), fds, sizeof fds);
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return 0;
	size_t total = sizeof header + len, done = (size_t)n;
	while (done < total) {
		size_t off = done - sizeof header; /* sendmsg sends the 4-byte header whole first */
		n = send(fd, payload + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		done += (size_t)n;
	}
	return 1;
}

/* One line of the reply into line (without its newline); 0 at end of file or error. */
static int read_line(int fd, char *line, size_t size) {
	size_t n = 0;
	while (n + 1 < size) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		if (c == '\n') {
			line[n] = 0;
			return 1;
		}
		line[n++] = c;
	}
	return 0;
}

static void die_of_caught_signal(void) {
	int sig = caught;
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* Whether a word of modprobe's command line asks only to look (-D, -n, -c, -R, --show-*, ...). */
static int looking_word(const char *w) {
	static const char *const longs[] = {"--show", "--dry-run", "--resolve-alias", "--dump-modversions",
					    "--version", "--help"};
	if (w[0] != '-' || w[1] == 0)
		return 0;
	if (w[1] == '-') {
		for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++)
			if (strncmp(w, longs[i], strlen(longs[i])) == 0)
				return 1;
		return 0;
	}
	return strpbrk(w + 1, "DncRVh") != NULL;
}

/* Whether starting a server may pay: not for a modprobe that loads or removes, which the
   server would hand back anyway. A rough look; whoever answers decides with modprobe's own
   parser, so a server already running still gets the call. */
static int may_be_served(void) {
	const char *base = strrchr(argv0, '/') != NULL ? strrchr(argv0, '/') + 1 : argv0;
	int first = 0;
	if (strcmp(base, "modtools") == 0) {
		if (nargs == 0)
			return 1;
		base = args[0];
		first = 1;
	}
	if (strcmp(base, "modprobe") != 0)
		return 1;
	for (int i = first; i < nargs; i++)
		if (looking_word(args[i]))
			return 1;
	const char *options = getenv("MODPROBE_OPTIONS");
	return options != NULL && (strstr(options, "-D") != NULL || strstr(options, "-n") != NULL ||
				   strstr(options, "-c") != NULL || strstr(options, "--show") != NULL ||
				   strstr(options, "--dry-run") != NULL);
}

enum outcome { RETRY, FALLBACK };

/* One call on a connected server: exits with the command's status, or says what to do next. */
static enum outcome call(int fd, const char *payload, size_t len) {
	sock = fd;
	if (!send_request(fd, payload, len)) {
		close(fd);
		return RETRY;
	}
	char line[1024];
	if (!read_line(fd, line, sizeof line)) {
		close(fd);
		return RETRY; /* the server went away before taking the call: nothing ran */
	}
	if (strcmp(line, "stale") == 0) {
		close(fd);
		return RETRY;
	}
	if (strcmp(line, "start") != 0) {
		close(fd);
		return FALLBACK; /* "fallback", or "refused: ..." */
	}
	if (caught)
		on_signal(caught); /* a signal that came before the command started */
	int ok = read_line(fd, line, sizeof line);
	if (caught)
		die_of_caught_signal();
	if (!ok || strncmp(line, "exit ", 5) != 0) {
		fprintf(stderr, "modtools: the server ended during the call\n");
		exit(1);
	}
	exit(atoi(line + 5));
}

/* /dev/null as descriptor 2 for the client's own use while the caller's stderr is closed. */
static void hold_stderr(void) {
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && fd != 2) {
		dup2(fd, 2);
		close(fd);
	}
}

int main(int argc, char **argv) {
	stderr_closed = fcntl(2, F_GETFD) < 0 && errno == EBADF;
	if (stderr_closed)
		hold_stderr();
	if (argc < 4) {
		fprintf(stderr, "Usage: modtools-client LAUNCHER ARGV0 JAR [ARG...]\n");
		return 1;
	}
	launcher = argv[1];
	argv0 = argv[2];
	jar = argv[3];
	args = argv + 4;
	nargs = argc - 4;
	const char *mode = getenv("MODTOOLS_SERVER");
	if (mode != NULL && strcmp(mode, "off") == 0)
		run_in_own_jvm();
	only_served = mode != NULL && strcmp(mode, "only") == 0;
	if (!find_dir())
		not_served("no directory for the server's socket");
	size_t len;
	char *payload = build_request(&len);
	if (payload == NULL)
		not_served("the request cannot be made (jar, working directory or size)");
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	int fd = connect_server();
	if (fd >= 0 && call(fd, payload, len) == FALLBACK)
		not_served("the server does not run this call");
	if (only_served)
		not_served("no server answered");
	if (!may_be_served())
		run_in_own_jvm();
	/* No server, or one of another build that is quitting now: start ours, once. */
	int alive = start_server();
	if (alive >= 0 && (fd = wait_for_server(alive)) >= 0)
		call(fd, payload, len);
	run_in_own_jvm();
}
