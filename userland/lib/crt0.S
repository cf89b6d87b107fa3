/*
 * _start: where every user program begins.
 *
 * The kernel's exec leaves argc in a0, argv in a1 (an array of pointers,
 * NULL-terminated, with the strings themselves on the user stack) and sp
 * 16-byte aligned below them. main(argc, argv) runs with those, and its
 * return value becomes the exit status, so `return 0;` from main is the
 * same as exit(0).
 */
	.section .text.start, "ax", @progbits   /* user.ld puts it first */
	.globl _start
	.type _start, @function
_start:
	li fp, 0            /* the outermost frame: stack walks stop here */
	li ra, 0
	call main
	call exit           /* a0 still holds main's return value */
1:	j 1b                /* exit does not return */
	.size _start, . - _start
