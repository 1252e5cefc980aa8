/*
 * modfs_demo_params: one parameter of each type. Load it with, for example,
 *   modprobe modfs_demo_params count=5 greeting=bonjour verbose=y loud=n
 * and it logs the values it got.
 */
#include <modfs/module.h>

static int count = 3;
module_param(count, int, 0644);
MODULE_PARM_DESC(count, "How many greetings to log (int, default 3)");

static unsigned int ratio = 100;
module_param(ratio, uint, 0444);
MODULE_PARM_DESC(ratio, "A percentage");

static long offset = -1;
module_param(offset, long, 0444);
MODULE_PARM_DESC(offset, "A signed offset");

static unsigned long limit = 4096;
module_param(limit, ulong, 0644);
MODULE_PARM_DESC(limit, "Upper limit in bytes");

static short level = -2;
module_param(level, short, 0444);
MODULE_PARM_DESC(level, "A short");

static unsigned short port = 8080;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "A port number");

static unsigned char tag = 7;
module_param(tag, byte, 0444);

static unsigned long long big = 1ULL << 40;
module_param(big, ullong, 0444);
MODULE_PARM_DESC(big, "A 64-bit value");

static unsigned int mask = 0xff;
module_param(mask, hexint, 0444);
MODULE_PARM_DESC(mask, "A bit mask");

static bool verbose;
module_param(verbose, bool, 0644);
MODULE_PARM_DESC(verbose, "Log more (default: no)");

static bool quiet = true;
module_param_named(loud, quiet, invbool, 0444);
MODULE_PARM_DESC(loud, "Log the greetings (sets quiet to the opposite)");

static char *greeting = "hello";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "The word to log");

static int __init demo_params_init(void)
{
	int i;

	pr_info("count=%d ratio=%u offset=%ld limit=%lu level=%hd port=%hu tag=%u big=%llu mask=0x%x verbose=%d quiet=%d greeting=%s\n",
		count, ratio, offset, limit, level, port, tag, big, mask, verbose, quiet, greeting);
	if (!quiet)
		for (i = 0; i < count; i++)
			pr_info("%s #%d\n", greeting, i + 1);
	if (verbose)
		pr_debug("verbose is on, but pr_debug needs DEBUG\n");
	return 0;
}

static void __exit demo_params_exit(void)
{
	pr_info("unloaded (greeting was %s)\n", greeting);
}

module_init(demo_params_init);
module_exit(demo_params_exit);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_AUTHOR("modtools SDK examples");
MODULE_DESCRIPTION("Demo: parameters of every type");
MODULE_ALIAS("modfs:demo-params");
MODULE_ALIAS("demo-params");
MODULE_SOFTDEP("pre: modfs_demo_lib");
MODULE_VERSION("1.2");
