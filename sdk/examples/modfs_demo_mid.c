/*
 * modfs_demo_mid: uses modfs_demo_lib and exports demo_mid_twice, which
 * modfs_demo_top uses: the chain modfs_demo_lib <- modfs_demo_mid <- modfs_demo_top.
 */
#include <modfs/module.h>
#include "modfs_demo_lib.h"
#include "modfs_demo_mid.h"

static char *who = "modfs_demo_mid";
module_param(who, charp, 0444);
MODULE_PARM_DESC(who, "Whom the library greets at load time");

int demo_mid_twice(int x)
{
	return demo_lib_add(x, x);
}
EXPORT_SYMBOL_GPL(demo_mid_twice);

static int __init demo_mid_init(void)
{
	char greeting[64];

	demo_lib_greet(greeting, sizeof(greeting), who);
	pr_info("loaded: 2 + 3 = %d, %s, counter %lu\n", demo_lib_add(2, 3), greeting, demo_lib_counter);
	return 0;
}

static void __exit demo_mid_exit(void)
{
	pr_info("unloaded, counter %lu\n", demo_lib_next());
}

module_init(demo_mid_init);
module_exit(demo_mid_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("modtools SDK examples");
MODULE_DESCRIPTION("Demo: uses modfs_demo_lib, exports demo_mid_twice");
