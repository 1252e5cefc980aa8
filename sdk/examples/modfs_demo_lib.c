/*
 * modfs_demo_lib: a library module. It exports functions and a counter to the
 * modules that depend on it (modfs_demo_mid, and through it modfs_demo_top).
 * Built from two files: this one and modfs_demo_lib_counter.c.
 */
#include <modfs/module.h>
#include "modfs_demo_lib.h"

int demo_lib_add(int a, int b)
{
	return a + b;
}
EXPORT_SYMBOL(demo_lib_add);

int demo_lib_greet(char *buf, size_t size, const char *who)
{
	return snprintf(buf, size, "hello, %s (#%lu)", who, demo_lib_next());
}
EXPORT_SYMBOL(demo_lib_greet);

static int __init demo_lib_init(void)
{
	pr_info("loaded, counter at %lu\n", demo_lib_counter);
	return 0;
}

static void __exit demo_lib_exit(void)
{
	pr_info("unloaded after %lu calls\n", demo_lib_counter);
}

module_init(demo_lib_init);
module_exit(demo_lib_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modtools SDK examples");
MODULE_DESCRIPTION("Demo library: exports demo_lib_add, demo_lib_next, demo_lib_greet and a counter");
MODULE_VERSION("1.0");
