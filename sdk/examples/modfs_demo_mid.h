/* The interface of modfs_demo_mid. */
#ifndef MODFS_DEMO_MID_H
#define MODFS_DEMO_MID_H

/* 2 * x, computed by modfs_demo_lib. */
int demo_mid_twice(int x);

#endif
