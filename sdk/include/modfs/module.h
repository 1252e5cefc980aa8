/*
 * modfs/module.h — the one header a module for the modfs host includes.
 *
 * A module is a relocatable x86-64 ELF object (`NAME.ko`), compiled with
 * -mcmodel=small -fno-pic and linked with `ld -r -T sdk/module.lds`
 * (sdk/build-module does both). It carries its metadata the way Linux kernel
 * modules do, so that depmod and modinfo (kmod's and modtools') read it:
 *
 *   .modinfo            "key=value\0" strings: license, author, description,
 *                       alias, softdep, version, parm, parmtype, and from the
 *                       build: depends, name, vermagic.
 *   __ksymtab_strings   the names of exported symbols, "NAME\0" each.
 *   __ksymtab           struct modfs_kernel_symbol per EXPORT_SYMBOL,
 *   __ksymtab_gpl       ... per EXPORT_SYMBOL_GPL (sorted by name).
 *   __param             struct modfs_param per module_param (see below).
 *   .init.text          __init code, .init.data __initdata/__initconst:
 *                       dropped after init.
 *
 * ---------------------------------------------------------------------------
 * How a loader finds init and exit
 *
 *   module_init(fn) defines the global function symbol `init_module`, an alias
 *   of fn (same address and section, normally .init.text); module_exit(fn)
 *   defines `cleanup_module` likewise. The loader looks both names up in the
 *   object's .symtab (STB_GLOBAL, STT_FUNC, defined) and writes their final
 *   addresses into the image header's `init` and `exit` (0 when absent).
 *   init returns 0 or a negative errno (-ENODEV …); the host reports that errno.
 *
 * ---------------------------------------------------------------------------
 * The parameter table (what the loader reads to set `name=value` arguments)
 *
 *   Section `__param` (SHF_ALLOC, read-only, 8-aligned) is an array of fixed
 *   40-byte records, little-endian; count = section size / 40. Each record is
 *   the local symbol `__param_NAME`:
 *
 *     offset size field
 *        0    8   name      address of the parameter's name, NUL-terminated
 *        8    8   arg       address of the variable the parameter sets
 *       16    8   buf       charp only: address of a buffer in .bss that the
 *                           loader copies the string into; 0 for other types
 *       24    4   type      MODFS_PARAM_* below
 *       28    2   perm      the permission bits given to module_param (0…0777)
 *       30    2   size      sizeof the variable: 1, 2, 4 or 8
 *       32    4   buf_size  charp only: bytes in buf (MODFS_CHARP_MAX), else 0
 *       36    4   reserved  0
 *
 *   In the .ko the three address fields are 0 with an R_X86_64_64 relocation
 *   each (name against the string __param_str_NAME or its section, arg against
 *   the variable or its section + addend, buf against __param_buf_NAME or its
 *   section); after relocation they hold the final absolute addresses, so a
 *   loader can equally read the relocated image: offset in image = address -
 *   base. To set a parameter the loader writes, at `arg` in the image, `size`
 *   bytes (little-endian) parsed as the kernel's param_set_* functions do:
 *
 *     BYTE(1) SHORT(2) USHORT(3) INT(4) UINT(5) LONG(6) ULONG(7) ULLONG(8)
 *               integers, any base C accepts (kstrtoX(value, 0)): "10",
 *               "0x1f", "017"; out of range for the size is EINVAL.
 *     HEXINT(9) unsigned int, as UINT.
 *     CHARP(10) the value is copied with its NUL into buf (longer than
 *               buf_size - 1 bytes: ENOSPC), and buf's address is stored
 *               as 8 bytes at arg.
 *     BOOL(11)  one byte: 1 for "y" "Y" "1" "on" or no value, 0 for "n" "N"
 *               "0" "off" (kstrtobool), else EINVAL.
 *     INVBOOL(12) as BOOL, the opposite byte.
 *
 *   The .modinfo strings "parmtype=NAME:TYPE" (always) and "parm=NAME:DESC"
 *   (MODULE_PARM_DESC) are what modinfo shows; the loader needs only __param.
 *
 * ---------------------------------------------------------------------------
 * Exports
 *
 *   EXPORT_SYMBOL(sym) puts "sym\0" in __ksymtab_strings (label __kstrtab_sym)
 *   and a record in a section "___ksymtab+sym", which module.lds gathers into
 *   __ksymtab (EXPORT_SYMBOL_GPL: "___ksymtab_gpl+sym" into __ksymtab_gpl):
 *
 *     struct modfs_kernel_symbol { u64 value; u64 name; u64 ns; }  (24 bytes)
 *
 *   value = &sym and name = __kstrtab_sym (R_X86_64_64 relocations), ns = 0:
 *   the layout of Linux's struct kernel_symbol without PREL32 relocations.
 *   kmod's depmod reads exports from __ksymtab_strings (there are no __crc_
 *   symbols), imports from the undefined symbols of .symtab.
 *   A loader that honours GPL-only exports refuses a __ksymtab_gpl symbol to
 *   a module whose license is not GPL-compatible, as Linux does.
 *
 * ---------------------------------------------------------------------------
 * Logging
 *
 *   printk(KERN_INFO "fmt", …), pr_info(fmt, …) and the other pr_* format
 *   with the host's vsnprintf into a MODFS_LOG_LINE_MAX-byte buffer on the
 *   stack (longer messages are cut), drop a leading KERN_* level, and pass
 *   each non-empty line to modfs_log(). pr_fmt(fmt) defaults to
 *   MODFS_MODNAME ": " fmt (define pr_fmt before the #include to change it).
 *   pr_debug prints only when DEBUG is defined. Each call is its own message:
 *   there is no pr_cont.
 *
 * The host exports functions only: the libc set declared below,
 * modfs_log and modfs_thread_run. Everything else a module uses comes from
 * itself or from other modules' exports.
 *
 * ---------------------------------------------------------------------------
 * Faults
 *
 *   A SIGSEGV, SIGBUS, SIGILL or SIGFPE in a module's init, exit or one of
 *   its threads ends that call, not the host: the module becomes "failed"
 *   (its exit never runs; rmmod -f removes it), the host logs an oops naming
 *   the faulting function and marks itself tainted (root file taint). What a
 *   faulting module did to memory that is not its own (the host's heap, other
 *   modules) is not undone.
 */
#ifndef MODFS_MODULE_H
#define MODFS_MODULE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modfs/errno.h>

#if !defined(__x86_64__) || !defined(__LP64__)
#error "modfs modules are x86-64 (LP64) objects"
#endif

/* The module's name: sdk/build-module passes -DMODFS_MODNAME='"name"'. */
#ifndef MODFS_MODNAME
#define MODFS_MODNAME "unnamed"
#endif
#ifndef KBUILD_MODNAME
#define KBUILD_MODNAME MODFS_MODNAME
#endif

/* The host's release, shaped like a kernel release (modfs `version` file). */
#ifndef MODFS_RELEASE
#define MODFS_RELEASE "1.0.0-modfs"
#endif
/* vermagic: the release first, then what the module expects of the host. */
#define MODFS_VERMAGIC MODFS_RELEASE " mod_unload"

/* ------------------------------------------------------------------------ */
/* Types and helpers                                                         */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define __modfs_stringify_1(x) #x
#define __stringify(x) __modfs_stringify_1(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#define __used __attribute__((__used__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __section(s) __attribute__((__section__(s)))
#define __printf(a, b) __attribute__((__format__(__printf__, a, b)))
#define __cold __attribute__((__cold__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Code and data only needed while init runs: dropped once the module is live. */
#define __init __section(".init.text") __cold
#define __initdata __section(".init.data")
#define __initconst __section(".init.rodata")
/* Exit code is kept for the whole life of the module (module.lds puts it in .text). */
#define __exit __section(".exit.text") __cold
#define __exitdata

/* ------------------------------------------------------------------------ */
/* What the host exports                                                     */

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
void *memcpy(void *__restrict dest, const void *__restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
size_t strlen(const char *s);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
int snprintf(char *__restrict str, size_t size, const char *__restrict format, ...) __printf(3, 4);
int vsnprintf(char *__restrict str, size_t size, const char *__restrict format, va_list ap) __printf(3, 0);

/* One line (no newline) into the host's log, with the host's timestamp. */
void modfs_log(const char *line);

/*
 * Runs fn(arg) on a new host thread of this module; 0, or a negative errno.
 * The module's exit must see its threads end (as kthread_stop in Linux):
 * its memory is not released while one of them still runs.
 */
int modfs_thread_run(int (*fn)(void *arg), void *arg);

/* ------------------------------------------------------------------------ */
/* .modinfo                                                                  */

#define __MODULE_INFO(tag, name, info)						\
	static const char __UNIQUE_ID(name)[]					\
		__used __section(".modinfo") __aligned(1)			\
		= __stringify(tag) "=" info

#define MODULE_INFO(tag, info) __MODULE_INFO(tag, tag, info)

#define MODULE_LICENSE(_license) MODULE_INFO(license, _license)
#define MODULE_AUTHOR(_author) MODULE_INFO(author, _author)
#define MODULE_DESCRIPTION(_description) MODULE_INFO(description, _description)
#define MODULE_ALIAS(_alias) MODULE_INFO(alias, _alias)
#define MODULE_SOFTDEP(_softdep) MODULE_INFO(softdep, _softdep)
#define MODULE_VERSION(_version) MODULE_INFO(version, _version)
#define MODULE_FIRMWARE(_firmware) MODULE_INFO(firmware, _firmware)

/* ------------------------------------------------------------------------ */
/* init and exit                                                             */

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

#if defined(__has_attribute)
#if __has_attribute(__copy__)
#define __modfs_copy(fn) __attribute__((__copy__(fn)))
#endif
#endif
#ifndef __modfs_copy
#define __modfs_copy(fn)
#endif

/*
 * The __inittest/__exittest functions make a wrong signature a compile error
 * (int fn(void) for init, void fn(void) for exit), as in Linux.
 */
#define module_init(initfn)							\
	static inline initcall_t __maybe_unused __inittest(void)		\
	{ return initfn; }							\
	int init_module(void) __modfs_copy(initfn)				\
		__attribute__((__alias__(#initfn)))

#define module_exit(exitfn)							\
	static inline exitcall_t __maybe_unused __exittest(void)		\
	{ return exitfn; }							\
	void cleanup_module(void) __modfs_copy(exitfn)				\
		__attribute__((__alias__(#exitfn)))

/* ------------------------------------------------------------------------ */
/* Exports                                                                   */

struct modfs_kernel_symbol {
	unsigned long value;
	const char *name;
	const char *ns;
};

#define __MODFS_EXPORT_SYMBOL(sym, sec)						\
	extern typeof(sym) sym;							\
	extern const char __kstrtab_##sym[];					\
	__asm__("	.section \"__ksymtab_strings\",\"aMS\",%progbits,1\n"	\
		"__kstrtab_" #sym ":\n"						\
		"	.asciz \"" #sym "\"\n"					\
		"	.previous\n");						\
	static const struct modfs_kernel_symbol __ksymtab_##sym			\
		__used __section("___ksymtab" sec "+" #sym) __aligned(8)	\
		= { (unsigned long)&sym, __kstrtab_##sym, 0 }

#define EXPORT_SYMBOL(sym) __MODFS_EXPORT_SYMBOL(sym, "")
#define EXPORT_SYMBOL_GPL(sym) __MODFS_EXPORT_SYMBOL(sym, "_gpl")

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */

enum modfs_param_type {
	MODFS_PARAM_BYTE = 1,
	MODFS_PARAM_SHORT = 2,
	MODFS_PARAM_USHORT = 3,
	MODFS_PARAM_INT = 4,
	MODFS_PARAM_UINT = 5,
	MODFS_PARAM_LONG = 6,
	MODFS_PARAM_ULONG = 7,
	MODFS_PARAM_ULLONG = 8,
	MODFS_PARAM_HEXINT = 9,
	MODFS_PARAM_CHARP = 10,
	MODFS_PARAM_BOOL = 11,
	MODFS_PARAM_INVBOOL = 12,
};

struct modfs_param {
	const char *name;	/*  0 */
	void *arg;		/*  8 */
	char *buf;		/* 16 */
	uint32_t type;		/* 24 */
	uint16_t perm;		/* 28 */
	uint16_t size;		/* 30 */
	uint32_t buf_size;	/* 32 */
	uint32_t reserved;	/* 36 */
};

_Static_assert(sizeof(struct modfs_param) == 40, "struct modfs_param is 40 bytes");
_Static_assert(offsetof(struct modfs_param, type) == 24, "struct modfs_param layout");
_Static_assert(sizeof(struct modfs_kernel_symbol) == 24, "struct modfs_kernel_symbol is 24 bytes");

/* The room a charp parameter has for its value (the kernel's limit too). */
#ifndef MODFS_CHARP_MAX
#define MODFS_CHARP_MAX 1024
#endif

/* Permission bits, as in <linux/stat.h>. */
#define S_IRUSR 00400
#define S_IWUSR 00200
#define S_IXUSR 00100
#define S_IRGRP 00040
#define S_IWGRP 00020
#define S_IXGRP 00010
#define S_IROTH 00004
#define S_IWOTH 00002
#define S_IXOTH 00001
#define S_IRWXUGO 00777
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)
#define S_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)

/* Per type: the C type (type check), the type code and the charp buffer. */
#define __modfs_param_ctype_byte unsigned char
#define __modfs_param_ctype_short short
#define __modfs_param_ctype_ushort unsigned short
#define __modfs_param_ctype_int int
#define __modfs_param_ctype_uint unsigned int
#define __modfs_param_ctype_long long
#define __modfs_param_ctype_ulong unsigned long
#define __modfs_param_ctype_ullong unsigned long long
#define __modfs_param_ctype_hexint unsigned int
#define __modfs_param_ctype_charp char *
#define __modfs_param_ctype_bool _Bool
#define __modfs_param_ctype_invbool _Bool

#define __modfs_param_code_byte MODFS_PARAM_BYTE
#define __modfs_param_code_short MODFS_PARAM_SHORT
#define __modfs_param_code_ushort MODFS_PARAM_USHORT
#define __modfs_param_code_int MODFS_PARAM_INT
#define __modfs_param_code_uint MODFS_PARAM_UINT
#define __modfs_param_code_long MODFS_PARAM_LONG
#define __modfs_param_code_ulong MODFS_PARAM_ULONG
#define __modfs_param_code_ullong MODFS_PARAM_ULLONG
#define __modfs_param_code_hexint MODFS_PARAM_HEXINT
#define __modfs_param_code_charp MODFS_PARAM_CHARP
#define __modfs_param_code_bool MODFS_PARAM_BOOL
#define __modfs_param_code_invbool MODFS_PARAM_INVBOOL

#define __modfs_param_buf_byte(name)
#define __modfs_param_buf_short(name)
#define __modfs_param_buf_ushort(name)
#define __modfs_param_buf_int(name)
#define __modfs_param_buf_uint(name)
#define __modfs_param_buf_long(name)
#define __modfs_param_buf_ulong(name)
#define __modfs_param_buf_ullong(name)
#define __modfs_param_buf_hexint(name)
#define __modfs_param_buf_charp(name) static char __param_buf_##name[MODFS_CHARP_MAX];
#define __modfs_param_buf_bool(name)
#define __modfs_param_buf_invbool(name)

#define __modfs_param_bufptr_byte(name) 0
#define __modfs_param_bufptr_short(name) 0
#define __modfs_param_bufptr_ushort(name) 0
#define __modfs_param_bufptr_int(name) 0
#define __modfs_param_bufptr_uint(name) 0
#define __modfs_param_bufptr_long(name) 0
#define __modfs_param_bufptr_ulong(name) 0
#define __modfs_param_bufptr_ullong(name) 0
#define __modfs_param_bufptr_hexint(name) 0
#define __modfs_param_bufptr_charp(name) __param_buf_##name
#define __modfs_param_bufptr_bool(name) 0
#define __modfs_param_bufptr_invbool(name) 0

#define __modfs_param_bufsize_byte(name) 0
#define __modfs_param_bufsize_short(name) 0
#define __modfs_param_bufsize_ushort(name) 0
#define __modfs_param_bufsize_int(name) 0
#define __modfs_param_bufsize_uint(name) 0
#define __modfs_param_bufsize_long(name) 0
#define __modfs_param_bufsize_ulong(name) 0
#define __modfs_param_bufsize_ullong(name) 0
#define __modfs_param_bufsize_hexint(name) 0
#define __modfs_param_bufsize_charp(name) sizeof(__param_buf_##name)
#define __modfs_param_bufsize_bool(name) 0
#define __modfs_param_bufsize_invbool(name) 0

/* Linux's permission rules: 0…0777, readable by fewer as you go out, never world-writable. */
#define __modfs_check_perm(name, perm)						\
	_Static_assert((perm) >= 0 && (perm) <= 0777				\
		&& (((perm) >> 6) & 4) >= (((perm) >> 3) & 4)			\
		&& (((perm) >> 3) & 4) >= ((perm) & 4)				\
		&& (((perm) >> 6) & 2) >= (((perm) >> 3) & 2)			\
		&& !((perm) & 2),						\
		"module_param " #name ": bad permissions " #perm)

/*
 * module_param(name, type, perm): the variable `name` is the parameter `name`.
 * type: byte short ushort int uint long ulong ullong hexint charp bool invbool.
 * The type and its variable must agree (a mismatch is a compile error with
 * the SDK's -Werror=incompatible-pointer-types).
 */
#define module_param(name, type, perm)						\
	__modfs_module_param(name, name, perm, #type,				\
		__modfs_param_ctype_##type, __modfs_param_code_##type,		\
		__modfs_param_buf_##type(name),					\
		__modfs_param_bufptr_##type(name),				\
		__modfs_param_bufsize_##type(name),				\
		__UNIQUE_ID(name##type))

/*
 * module_param_named(name, value, type, perm): the parameter `name` sets the
 * variable `value`. Both macros paste or stringify `type` themselves instead
 * of passing it on, so that `bool` (a macro of <stdbool.h>) is never expanded.
 */
#define module_param_named(name, value, type, perm)				\
	__modfs_module_param(name, value, perm, #type,				\
		__modfs_param_ctype_##type, __modfs_param_code_##type,		\
		__modfs_param_buf_##type(name),					\
		__modfs_param_bufptr_##type(name),				\
		__modfs_param_bufsize_##type(name),				\
		__UNIQUE_ID(name##type))

#define __modfs_module_param(name, value, perm, typestr, ctype, code, buf,	\
			     bufptr, bufsize, typeid)				\
	__modfs_check_perm(name, perm);						\
	static inline ctype __always_unused *__check_##name(void)		\
	{ return (&(value)); }							\
	buf									\
	static const char __param_str_##name[] = #name;				\
	static const struct modfs_param __param_##name				\
		__used __section("__param") __aligned(8) = {			\
		__param_str_##name, (void *)&(value), bufptr, code,		\
		(perm), sizeof(value), bufsize, 0				\
	};									\
	static const char typeid[] __used __section(".modinfo") __aligned(1)	\
		= "parmtype=" #name ":" typestr

#define MODULE_PARM_DESC(_parm, desc) __MODULE_INFO(parm, _parm, #_parm ":" desc)

/* ------------------------------------------------------------------------ */
/* Logging                                                                   */

#define KERN_SOH "\001"
#define KERN_SOH_ASCII '\001'
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"

#ifndef MODFS_LOG_LINE_MAX
#define MODFS_LOG_LINE_MAX 512
#endif

static inline __printf(1, 2) __maybe_unused int modfs_printk(const char *fmt, ...)
{
	char buf[MODFS_LOG_LINE_MAX];
	char *line = buf, *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if (line[0] == KERN_SOH_ASCII && line[1] != '\0')
		line += 2;
	for (p = line;; p++) {
		char c = *p;
		if (c == '\n' || c == '\0') {
			*p = '\0';
			if (p != line)
				modfs_log(line);
			if (c == '\0')
				break;
			line = p + 1;
		}
	}
	return n;
}

#define printk modfs_printk

#ifndef pr_fmt
#define pr_fmt(fmt) MODFS_MODNAME ": " fmt
#endif

/* Checks the format and arguments, prints nothing. */
#define no_printk(fmt, ...)							\
	({									\
		if (0)								\
			modfs_printk(fmt, ##__VA_ARGS__);			\
		0;								\
	})

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#ifdef DEBUG
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif

#endif /* MODFS_MODULE_H */
