/*
 * <assert.h> for lazuli programs. assert(e) prints
 *   assertion failed: e (file.c:12, in main)
 * on fd 2 and aborts (exit status -1) when e is false; with NDEBUG
 * defined before the include it does nothing. No include guard: C lets a
 * program include this again after changing NDEBUG.
 */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
void __assert_fail(const char *expr, const char *file, int line, const char *func)
	__attribute__((noreturn));
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
