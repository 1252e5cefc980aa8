/* A module written by hand, without the SDK: its export named only in __ksymtab_strings. */
extern void modfs_log(const char *line);

int hw_lib_triple(int x)
{
	return 3 * x;
}

__attribute__((section("__ksymtab_strings"), used)) static const char exported[] = "hw_lib_triple";
__attribute__((section(".modinfo"), used, aligned(1))) static const char info[] =
	"license=GPL\0name=hw_lib\0vermagic=1.0.0-modfs mod_unload";

int init_module(void)
{
	modfs_log("hw_lib: loaded");
	return 0;
}

void cleanup_module(void)
{
	modfs_log("hw_lib: unloaded");
}
