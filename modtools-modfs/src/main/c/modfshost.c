/*
 * The host's native part: calls into module code that survive the module faulting, and the
 * host functions that modules call which lead back into Java.
 *
 * A module's init, exit and threads run on host threads inside modfs_call(). It notes a jump
 * buffer in a thread-local variable, then calls the module. SIGSEGV, SIGBUS, SIGILL and SIGFPE
 * reach on_fault() first (installed over the JVM's handlers, which it keeps): on a thread inside
 * module code it records the signal, its code, the faulting address and the instruction pointer
 * and jumps back, so modfs_call() returns the signal instead of the JVM dying. Anywhere else the
 * signal is the JVM's business (implicit null checks, safepoint polls, its own crashes) and goes
 * to the handler the JVM installed, exactly as the kernel would have called it.
 *
 * While a module calls back into the host (modfs_log, modfs_thread_run) the thread is outside
 * module code: the JVM runs there, and its own faults must stay its own.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))
/* Room for the handler and for what a module can have left of its stack when it overflows. */
#define ALT_STACK_SIZE (64 * 1024)
#define LOG_LINE_MAX 4096

enum call_kind { CALL_INT = 0, CALL_VOID = 1, CALL_INT_ARG = 2 };

/* Where a fault is recorded: signal, si_code, faulting address, instruction pointer, page-fault error code. */
struct fault {
    int64_t signal;
    int64_t code;
    int64_t address;
    int64_t pc;
    int64_t error;
};

static TLS sigjmp_buf *current_jump;
static TLS struct fault *current_fault;
static TLS int has_alt_stack;

static const int FAULTS[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
static struct sigaction previous[NSIG];
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static int install_error;

static void (*log_callback)(const char *line);
static int (*thread_callback)(void *fn, void *arg);

static void on_fault(int sig, siginfo_t *info, void *context)
{
    sigjmp_buf *jump = current_jump;
    if (jump != NULL) {
        ucontext_t *uc = context;
        current_fault->signal = sig;
        current_fault->code = info->si_code;
        current_fault->address = (int64_t) (uintptr_t) info->si_addr;
        current_fault->pc = (int64_t) uc->uc_mcontext.gregs[REG_RIP];
        current_fault->error = (int64_t) uc->uc_mcontext.gregs[REG_ERR];
        current_jump = NULL;
        siglongjmp(*jump, 1);
    }
    struct sigaction *p = &previous[sig];
    if (p->sa_flags & SA_SIGINFO) {
        p->sa_sigaction(sig, info, context);
    } else if (p->sa_handler == SIG_DFL) {
        /* Returning re-executes the faulting instruction, which now ends the process as it would have. */
        signal(sig, SIG_DFL);
    } else if (p->sa_handler != SIG_IGN) {
        p->sa_handler(sig);
    }
}

static void install(void)
{
    for (size_t i = 0; i < sizeof FAULTS / sizeof FAULTS[0]; i++) {
        int sig = FAULTS[i];
        if (sigaction(sig, NULL, &previous[sig]) != 0) {
            install_error = -1;
            return;
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_mask = previous[sig].sa_mask;
        /* SA_ONSTACK: a module that overflowed its stack has none left for the handler. */
        sa.sa_flags = (previous[sig].sa_flags & ~SA_RESETHAND) | SA_SIGINFO | SA_ONSTACK;
        if (sigaction(sig, &sa, NULL) != 0) {
            install_error = -1;
            return;
        }
    }
}

/* Installs the fault handlers (once) and the callbacks into Java; 0, or -1 if sigaction failed. */
int modfs_host_start(void (*log)(const char *), int (*thread)(void *, void *))
{
    log_callback = log;
    thread_callback = thread;
    pthread_once(&installed, install);
    return install_error;
}

static void ensure_alt_stack(void)
{
    if (has_alt_stack) {
        return;
    }
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) {
        has_alt_stack = 1;
        return;
    }
    void *stack = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) {
        return;
    }
    stack_t alt = { .ss_sp = stack, .ss_size = ALT_STACK_SIZE, .ss_flags = 0 };
    if (sigaltstack(&alt, NULL) == 0) {
        has_alt_stack = 1;
    } else {
        munmap(stack, ALT_STACK_SIZE);
    }
}

/*
 * Calls module code at fn: int fn(void), void fn(void) or int fn(void *arg), by kind. Returns 0
 * with what it returned in *result, or the signal that stopped it with the details in *fault.
 */
int modfs_call(int64_t fn, int64_t arg, int kind, struct fault *fault, int *result)
{
    ensure_alt_stack();
    sigjmp_buf jump;
    sigjmp_buf *outer_jump = current_jump;
    struct fault *outer_fault = current_fault;
    if (sigsetjmp(jump, 1) != 0) {
        current_jump = outer_jump;
        current_fault = outer_fault;
        return (int) fault->signal;
    }
    current_fault = fault;
    current_jump = &jump;
    int value = 0;
    switch (kind) {
    case CALL_INT:
        value = ((int (*)(void)) (uintptr_t) fn)();
        break;
    case CALL_VOID:
        ((void (*)(void)) (uintptr_t) fn)();
        break;
    default:
        value = ((int (*)(void *)) (uintptr_t) fn)((void *) (uintptr_t) arg);
        break;
    }
    current_jump = outer_jump;
    current_fault = outer_fault;
    *result = value;
    return 0;
}

/* Leaves module code for a call into the host; what enter_module() needs to come back. */
static sigjmp_buf *leave_module(void)
{
    sigjmp_buf *jump = current_jump;
    current_jump = NULL;
    return jump;
}

static void enter_module(sigjmp_buf *jump)
{
    current_jump = jump;
}

/*
 * void modfs_log(const char *line), for modules. The line is copied while still inside module
 * code, so a bad pointer is the module's fault, as in printk; Java gets a copy it can read.
 */
void modfs_log(const char *line)
{
    if (line == NULL || log_callback == NULL) {
        return;
    }
    size_t n = strnlen(line, LOG_LINE_MAX);
    char *copy = malloc(n + 1);
    if (copy == NULL) {
        return;
    }
    memcpy(copy, line, n);
    copy[n] = '\0';
    sigjmp_buf *jump = leave_module();
    log_callback(copy);
    enter_module(jump);
    free(copy);
}

/*
 * int modfs_thread_run(int (*fn)(void *), void *arg), for modules: runs fn(arg) on a new host
 * thread of the calling module; 0, or a negative errno if no thread could be started.
 */
int modfs_thread_run(int (*fn)(void *), void *arg)
{
    if (fn == NULL || thread_callback == NULL) {
        return -22;
    }
    sigjmp_buf *jump = leave_module();
    int started = thread_callback((void *) fn, arg);
    enter_module(jump);
    return started;
}
