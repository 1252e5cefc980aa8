extern void modfs_log(const char *line);
extern int ping_value(void);

int pong_value(void)
{
	return 2;
}

int init_module(void)
{
	modfs_log(ping_value() == 40 ? "pong: init, ping answers 40" : "pong: init, ping is wrong");
	return 0;
}

void cleanup_module(void)
{
	modfs_log("pong: exit");
}
