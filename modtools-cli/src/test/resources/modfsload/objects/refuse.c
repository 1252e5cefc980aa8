/* An init that fails with EINVAL. */
extern void modfs_log(const char *line);

int init_module(void)
{
	modfs_log("refuse: init fails");
	return -22;
}

void cleanup_module(void)
{
	modfs_log("refuse: exit");
}
