/* modfs_demo_fail: its init fails with -ENODEV, so loading it fails with ENODEV. */
#include <modfs/module.h>

static const char reason[] __initconst = "no such device here";

static int __init demo_fail_init(void)
{
	pr_err("refusing to start: %s\n", reason);
	return -ENODEV;
}

static void __exit demo_fail_exit(void)
{
	pr_info("unloaded (never reached)\n");
}

module_init(demo_fail_init);
module_exit(demo_fail_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modtools SDK examples");
MODULE_DESCRIPTION("Demo: init fails with -ENODEV");
