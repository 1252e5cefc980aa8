/* One of two objects of one module, each calling the other: init checks pong's answer. */
extern void modfs_log(const char *line);
extern int pong_value(void);

int ping_value(void)
{
	return 40;
}

int init_module(void)
{
	modfs_log(pong_value() == 2 ? "ping: init, pong answers 2" : "ping: init, pong is wrong");
	return 0;
}

void cleanup_module(void)
{
	modfs_log("ping: exit");
}
