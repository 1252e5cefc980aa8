/* modfs_test_slow: an init that takes as long as `spins` empty loop turns, for the tests
 * that kill a loader while init runs and that load a module another process is loading; and
 * an exit that sleeps `exit_seconds` (in nanosleep, holding no processor), for the tests that
 * kill a remover while exit runs. */
#include <modfs/module.h>

static unsigned long spins;
module_param(spins, ulong, 0444);
MODULE_PARM_DESC(spins, "Loop turns init spends before it returns");
static unsigned long exit_seconds;
module_param(exit_seconds, ulong, 0444);
MODULE_PARM_DESC(exit_seconds, "Seconds exit sleeps before it returns");

static int __init slow_init(void)
{
	volatile unsigned long i;

	for (i = 0; i < spins; i++)
		;
	pr_info("ready after %lu spins\n", spins);
	return 0;
}

static void __exit slow_exit(void)
{
	struct { long sec, nsec; } t = { (long) exit_seconds, 0 };
	long ret;

	if (exit_seconds)
		__asm__ volatile("syscall" : "=a"(ret) : "a"(35L), "D"(&t), "S"(0L) : "rcx", "r11", "memory");
	pr_info("gone\n");
}

module_init(slow_init);
module_exit(slow_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test: a slow init, a slow exit");
