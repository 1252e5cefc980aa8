/* modfs_demo_lib's second file: the counter and its GPL-only accessor. */
#include <modfs/module.h>
#include "modfs_demo_lib.h"

unsigned long demo_lib_counter;
EXPORT_SYMBOL(demo_lib_counter);

unsigned long demo_lib_next(void)
{
	return ++demo_lib_counter;
}
EXPORT_SYMBOL_GPL(demo_lib_next);
