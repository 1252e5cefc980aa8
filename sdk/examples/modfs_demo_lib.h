/* The interface of modfs_demo_lib, for the modules that use it. */
#ifndef MODFS_DEMO_LIB_H
#define MODFS_DEMO_LIB_H

#include <modfs/module.h>

/* a + b. */
int demo_lib_add(int a, int b);
/* Adds one to demo_lib_counter and returns the new value (GPL-only). */
unsigned long demo_lib_next(void);
/* How many times demo_lib_next has been called. */
extern unsigned long demo_lib_counter;
/* Writes "hello, WHO (#N)" into buf, as snprintf does. */
int demo_lib_greet(char *buf, size_t size, const char *who);

#endif
