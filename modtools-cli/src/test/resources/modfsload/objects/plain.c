/* Nothing but gcc -c: no .modinfo, no tables; loads under its file's name. */
extern void modfs_log(const char *line);

int plain_calls;

void plain_probe(void)
{
	plain_calls++;
}

int init_module(void)
{
	plain_probe();
	modfs_log("plain: init");
	return 0;
}

void cleanup_module(void)
{
	modfs_log("plain: exit");
}
