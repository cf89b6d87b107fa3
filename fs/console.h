/*
 * The console device (major CONSOLE_MAJOR): the UART as a terminal.
 *
 * Output goes straight to uart_write. Input is line-buffered: console_input
 * (fs/fs.h), called from the UART interrupt for each byte typed, edits the
 * current line and echoes; a read returns at most one line, once the line
 * is finished by Enter. Editing keys:
 *   Backspace / DEL   erase the last character of the line
 *   ^U                erase the whole line
 *   ^D                at the start of a line: end of file (read returns 0);
 *                     inside a line: hand the line over without a newline
 *   CR                becomes '\n'
 *   ^C                drop the line; kill the foreground process group, or
 *                     with none, hand over an empty line (a new prompt)
 *   ^P                print every process: pid, state, name
 * A line holds 1024 characters before its newline; a key that does not
 * fit (a longer line, or a ring full of unread lines) rings the bell.
 *
 * Lock legend: [C] the console's spinlock (interrupt handler and readers).
 */
#ifndef FS_CONSOLE_H
#define FS_CONSOLE_H

/* Register the console driver in the device switch. Boot, once. */
void console_init(void);

/*
 * setfg(): put process group pgid in front of the console: it may read,
 * and ^C kills it. pgid 0 puts the caller's own group in front with ^C
 * killing nothing (the shell at its prompt). A read by a process of
 * another group is -EIO. Returns 0, or -EINVAL for a negative pgid. Any
 * process may call it.
 */
int console_set_foreground(int pgid);

#endif
