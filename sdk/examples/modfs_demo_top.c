/* modfs_demo_top: the top of the chain; uses only modfs_demo_mid's export. */
#include <modfs/module.h>
#include "modfs_demo_mid.h"

static int value = 21;
module_param(value, int, 0444);
MODULE_PARM_DESC(value, "The number to double at load time");

static int __init demo_top_init(void)
{
	pr_info("loaded: twice(%d) = %d\n", value, demo_mid_twice(value));
	return 0;
}

static void __exit demo_top_exit(void)
{
	pr_info("unloaded\n");
}

module_init(demo_top_init);
module_exit(demo_top_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modtools SDK examples");
MODULE_DESCRIPTION("Demo: top of the chain modfs_demo_lib <- modfs_demo_mid <- modfs_demo_top");
MODULE_ALIAS("modfs:demo-top");
