/* Uses hw_lib's export; its parameter declared by parmtype= alone, a plain global variable. */
extern void modfs_log(const char *line);
extern int snprintf(char *out, unsigned long size, const char *format, ...);
extern int hw_lib_triple(int x);

int factor = 1;

__attribute__((section(".modinfo"), used, aligned(1))) static const char info[] =
	"license=GPL\0name=hw_mid\0parmtype=factor:int\0vermagic=1.0.0-modfs mod_unload";

int init_module(void)
{
	char line[64];
	snprintf(line, sizeof line, "hw_mid: factor %d gives %d", factor, hw_lib_triple(factor));
	modfs_log(line);
	return 0;
}

void cleanup_module(void)
{
	modfs_log("hw_mid: unloaded");
}
