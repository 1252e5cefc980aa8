/* modfs_test_fault: faults where and how it is told, for the tests of the host's fault
 * containment: where=1 in init, 2 in exit, 3 in a thread init starts, 4 never returns from init
 * (it sleeps a minute at a time in nanosleep, so it holds no processor), 5 in a thread init
 * starts, a second after init returned; how=1 writes through
 * NULL (SIGSEGV), 2 executes ud2 (SIGILL), 3 divides by zero (SIGFPE). */
#include <modfs/module.h>

static int where;
module_param(where, int, 0444);
static int how = 1;
module_param(how, int, 0444);

static volatile int zero;

static __attribute__((noinline)) void fault_now(void)
{
	switch (how) {
	case 2:
		__asm__ volatile("ud2");
		break;
	case 3: {
		int q, one = 1, by = zero;
		__asm__ volatile("cltd; idivl %2" : "=a"(q) : "a"(one), "r"(by) : "edx");
		break;
	}
	default:
		*(volatile int *) 0 = 1;
	}
}

static void sleep_for(long seconds)
{
	struct { long sec, nsec; } t = { seconds, 0 };
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(35L), "D"(&t), "S"(0L) : "rcx", "r11", "memory");
}

static int fault_thread(void *arg)
{
	if (arg)
		sleep_for(1);
	fault_now();
	return 0;
}

static int __init fault_init(void)
{
	if (where == 1)
		fault_now();
	if (where == 3 || where == 5)
		return modfs_thread_run(fault_thread, where == 5 ? &where : NULL);
	if (where == 4)
		for (;;)
			sleep_for(60);
	return 0;
}

static void __exit fault_exit(void)
{
	if (where == 2)
		fault_now();
}

module_init(fault_init);
module_exit(fault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test: faults in init, exit or a thread, or an init that never returns");
