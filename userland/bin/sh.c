/*
 * sh: the shell.
 *
 * Reads commands a line at a time from standard input (or from the file
 * named by its first argument) until end of input, then exits; `sh -c CMD`
 * runs the one line CMD. It prints the prompt "$ " only when its input is
 * the console, so a script piped in runs quietly.
 *
 * Grammar (a line is a list; spaces separate words):
 *
 *   list      := pipeline { (';' | '&') pipeline } [';' | '&']
 *   pipeline  := command { '|' command }
 *   command   := '(' list ')' { redir }
 *              | { word | redir }          at least one word
 *   redir     := '<' word | '>' word | '>>' word | '2>' word | '2>>' word
 *
 * '&' runs the pipeline before it in the background; ';' waits for it.
 * '>' truncates or creates, '>>' appends; '2>' and '2>>' do the same for
 * standard error ('2' right before '>'). Quotes ('...' or "...") make one word of what
 * they hold; '#' at the start of a word begins a comment. A command name
 * without a '/' is looked up in the root directory.
 *
 * Built in: `cd [DIR]` (default /) and `exit [STATUS]`. They act on the
 * shell itself when they stand alone in the list, and on the child
 * otherwise (so `cd` inside parentheses or a pipeline changes only that
 * subshell).
 *
 * Job control, when interactive: every pipeline run from the prompt gets a
 * process group of its own (setpgid, on both sides of the fork so neither
 * order loses), and the shell names the one it waits for as the console's
 * foreground group (setfg) until it is done; then, and before its first
 * prompt, its own group is in front (setfg(0)). The console's ^C kills
 * the job's group, so the whole pipeline goes and the shell, in another
 * group, stays; at the prompt ^C just gives a new prompt. Only the group
 * in front reads the console: a background job's read fails (EIO).
 *
 * The line is split into tokens, parsed by recursive descent into a tree
 * of nodes, and the tree is run; nothing is allocated, so one line is
 * bounded by the limits below.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/lazuli.h"
#include "errno.h"

#define LINE_MAX   1024   /* characters of a command line before its newline */
#define MAX_TOKENS  128   /* tokens in one line */
#define MAX_NODES    64   /* commands, pipes and list items in one line */
#define EXIT_NOEXEC 127   /* status of a command that could not be run */

enum tok { TOK_WORD, TOK_PIPE, TOK_SEMI, TOK_AMP, TOK_IN, TOK_OUT,
	   TOK_APPEND, TOK_ERR, TOK_ERR_APPEND, TOK_LPAREN, TOK_RPAREN, TOK_END };

struct token {
	enum tok kind;
	char *word;          /* TOK_WORD: the text, NUL-terminated */
};

enum node_kind { N_CMD, N_SUBSHELL, N_PIPE, N_LIST };

/*
 * A parsed piece of the line.
 *   N_CMD       argv[0..argc) with redirections in/out/err
 *   N_SUBSHELL  left is the list inside ( ); redirections in/out/err
 *   N_PIPE      left | right (left a command, right a command or pipe)
 *   N_LIST      left is a pipeline, run in the background if background;
 *               right is the rest of the list, or 0
 */
struct node {
	enum node_kind kind;
	int argc;
	char *argv[MAXARG + 1];
	char *in, *out, *err;
	int out_append, err_append;   /* '>>', '2>>' */
	struct node *left, *right;
	int background;
};

struct parser {
	struct token *tok;   /* the current token */
	const char *error;   /* first error met, or 0 */
};

static char line[LINE_MAX + 2];   /* the characters, '\n', NUL */
/* The words' text, NUL-separated. A word takes at most one byte more than
 * the characters it came from, and words are separated, so a line's words
 * never need more bytes than the line has. */
static char words[sizeof(line)];
static struct token tokens[MAX_TOKENS];
static struct node nodes[MAX_NODES];
static int nnodes;
static int parse_failed;          /* the last parse() met an error */
static int interactive;           /* stdin is the console: prompt */
static int shell_pid;             /* job control only in the shell itself */

static void run_pipeline(struct node *p) __attribute__((noreturn));

/* ---- tokens ---- */

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The token kind a character starts, TOK_WORD for ordinary ones. */
static enum tok special(char c)
{
	switch (c) {
	case '|': return TOK_PIPE;
	case ';': return TOK_SEMI;
	case '&': return TOK_AMP;
	case '<': return TOK_IN;
	case '>': return TOK_OUT;
	case '(': return TOK_LPAREN;
	case ')': return TOK_RPAREN;
	default:  return TOK_WORD;
	}
}

/*
 * The operator at s, if any: its kind and length in *len. Two-character
 * ones ('>>', '2>', '2>>') are tried first; '2' not followed by '>' starts
 * a word.
 */
static enum tok operator(const char *s, int *len)
{
	if (s[0] == '2' && s[1] == '>') {
		*len = s[2] == '>' ? 3 : 2;
		return *len == 3 ? TOK_ERR_APPEND : TOK_ERR;
	}
	if (s[0] == '>' && s[1] == '>') {
		*len = 2;
		return TOK_APPEND;
	}
	*len = 1;
	return special(s[0]);
}

static const char *tok_text(const struct token *t)
{
	static const char *const text[] = {
		[TOK_PIPE] = "|", [TOK_SEMI] = ";", [TOK_AMP] = "&",
		[TOK_IN] = "<", [TOK_OUT] = ">", [TOK_APPEND] = ">>",
		[TOK_ERR] = "2>", [TOK_ERR_APPEND] = "2>>", [TOK_LPAREN] = "(",
		[TOK_RPAREN] = ")", [TOK_END] = "end of line",
	};
	return t->kind == TOK_WORD ? t->word : text[t->kind];
}

/*
 * Split s into tokens[], ending with TOK_END. Returns 0, or -1 after
 * printing why (too many tokens, an unterminated quote).
 */
static int tokenize(const char *s)
{
	char *out = words;
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (n == MAX_TOKENS - 1) {
			fprintf(2, "sh: too many words\n");
			return -1;
		}
		int len;

		tokens[n].kind = operator(s, &len);
		if (tokens[n].kind != TOK_WORD) {
			s += len;
			n++;
			continue;
		}
		tokens[n++].word = out;
		while (*s != '\0' && !is_blank(*s) && special(*s) == TOK_WORD) {
			if (*s == '\'' || *s == '"') {
				char quote = *s++;

				while (*s != '\0' && *s != quote)
					*out++ = *s++;
				if (*s != quote) {
					fprintf(2, "sh: unterminated %c\n", quote);
					return -1;
				}
				s++;
			} else {
				*out++ = *s++;
			}
		}
		*out++ = '\0';
	}
	tokens[n].kind = TOK_END;
	return 0;
}

/* ---- parser ---- */

static struct node *new_node(struct parser *ps, enum node_kind kind)
{
	struct node *n;

	if (nnodes == MAX_NODES) {
		ps->error = "line too complex";
		return 0;
	}
	n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

static void syntax_error(struct parser *ps)
{
	static char msg[LINE_MAX];

	if (ps->error != 0)
		return;
	snprintf(msg, sizeof(msg), "syntax error near %s", tok_text(ps->tok));
	ps->error = msg;
}

static struct node *parse_list(struct parser *ps);

/* A redirection operator and its word, onto node n. */
static void parse_redir(struct parser *ps, struct node *n)
{
	enum tok kind = ps->tok->kind;
	char *word;

	ps->tok++;
	if (ps->tok->kind != TOK_WORD) {
		syntax_error(ps);
		return;
	}
	word = ps->tok->word;
	ps->tok++;
	switch (kind) {
	case TOK_IN:
		n->in = word;
		break;
	case TOK_OUT:
	case TOK_APPEND:
		n->out = word;
		n->out_append = kind == TOK_APPEND;
		break;
	default:
		n->err = word;
		n->err_append = kind == TOK_ERR_APPEND;
		break;
	}
}

static int is_redir(enum tok kind)
{
	return kind == TOK_IN || kind == TOK_OUT || kind == TOK_APPEND ||
	       kind == TOK_ERR || kind == TOK_ERR_APPEND;
}

/* command := '(' list ')' { redir } | { word | redir } */
static struct node *parse_command(struct parser *ps)
{
	int subshell = ps->tok->kind == TOK_LPAREN;
	struct node *n = new_node(ps, subshell ? N_SUBSHELL : N_CMD);

	if (n == 0)
		return 0;
	if (subshell) {
		ps->tok++;
		n->left = parse_list(ps);
		if (n->left == 0 || ps->tok->kind != TOK_RPAREN) {
			syntax_error(ps);
			return 0;
		}
		ps->tok++;
	}
	for (;;) {
		if (ps->tok->kind == TOK_WORD && !subshell) {
			if (n->argc == MAXARG) {
				ps->error = "too many arguments";
				return 0;
			}
			n->argv[n->argc++] = ps->tok->word;
			ps->tok++;
		} else if (is_redir(ps->tok->kind)) {
			parse_redir(ps, n);
			if (ps->error != 0)
				return 0;
		} else {
			break;
		}
	}
	if (!subshell && n->argc == 0) {
		syntax_error(ps);
		return 0;
	}
	return n;
}

/* pipeline := command { '|' command } */
static struct node *parse_pipeline(struct parser *ps)
{
	struct node *cmd, *p;

	cmd = parse_command(ps);
	if (cmd == 0 || ps->tok->kind != TOK_PIPE)
		return cmd;
	ps->tok++;
	p = new_node(ps, N_PIPE);
	if (p == 0)
		return 0;
	p->left = cmd;
	p->right = parse_pipeline(ps);
	return p->right != 0 ? p : 0;
}

/*
 * list := pipeline { (';' | '&') pipeline } [';' | '&']
 * Returns 0 for an empty list (with ps->error unset) or on an error.
 */
static struct node *parse_list(struct parser *ps)
{
	struct node *n;

	if (ps->tok->kind == TOK_END || ps->tok->kind == TOK_RPAREN)
		return 0;
	n = new_node(ps, N_LIST);
	if (n == 0)
		return 0;
	n->left = parse_pipeline(ps);
	if (n->left == 0)
		return 0;
	if (ps->tok->kind == TOK_SEMI || ps->tok->kind == TOK_AMP) {
		n->background = ps->tok->kind == TOK_AMP;
		ps->tok++;
		n->right = parse_list(ps);
		if (ps->error != 0)
			return 0;
	}
	return n;
}

/* Parse tokens[] into a tree; 0 for an empty line or after an error. */
static struct node *parse(void)
{
	struct parser ps = { .tok = tokens, .error = 0 };
	struct node *list;

	nnodes = 0;
	list = parse_list(&ps);
	if (ps.error == 0 && ps.tok->kind != TOK_END)
		syntax_error(&ps);
	parse_failed = ps.error != 0;
	if (parse_failed) {
		fprintf(2, "sh: %s\n", ps.error);
		return 0;
	}
	return list;
}

/* ---- running ---- */

/* Wait until child pid exits, reaping any others; its status, or -1. */
static int wait_for(int pid)
{
	int r, status;

	while ((r = wait(&status)) >= 0) {
		if (r == pid)
			return status;
	}
	return -1;
}

/* Make fd `to` refer to the file at path; exits the (child) process on failure. */
static void redirect(const char *path, int flags, int to)
{
	int fd = open(path, flags);

	if (fd < 0) {
		fprintf(2, "sh: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (fd != to) {
		close(to);
		dup(fd);
		close(fd);
	}
}

/* Is n a command the shell runs itself (cd, exit)? */
static int is_builtin(const struct node *n)
{
	return n->kind == N_CMD &&
	       (strcmp(n->argv[0], "cd") == 0 || strcmp(n->argv[0], "exit") == 0);
}

/* Run a builtin in this process; returns its status. */
static int run_builtin(const struct node *n)
{
	if (strcmp(n->argv[0], "exit") == 0)
		exit(n->argc > 1 ? atoi(n->argv[1]) : 0);
	const char *dir = n->argc > 1 ? n->argv[1] : "/";

	if (chdir(dir) < 0) {
		fprintf(2, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* exec argv; a name without '/' is taken from the root. Never returns. */
static void exec_command(char **argv) __attribute__((noreturn));
static void exec_command(char **argv)
{
	char path[MAXPATH];

	errno = ENAMETOOLONG;
	if (strchr(argv[0], '/') != 0) {
		exec(argv[0], argv);
	} else if (strlen(argv[0]) + 2 <= sizeof(path)) {
		path[0] = '/';
		strcpy(path + 1, argv[0]);
		exec(path, argv);
	}
	fprintf(2, "sh: %s: %s\n", argv[0], strerror(errno));
	exit(EXIT_NOEXEC);
}

/* Does this process do job control (the interactive shell, not a child)? */
static int job_control(void)
{
	return interactive && getpid() == shell_pid;
}

/*
 * Run every pipeline of the list in turn, in this process: builtins here,
 * the rest in a child, waited for unless marked '&'. Returns the status of
 * the last one waited for. With job control each child leads a process
 * group, and one waited for is the console's foreground while it runs.
 */
static int run_list(struct node *list)
{
	int status = 0;

	for (struct node *item = list; item != 0; item = item->right) {
		struct node *p = item->left;
		int pid;

		if (!item->background && is_builtin(p)) {
			status = run_builtin(p);
			continue;
		}
		int jc = job_control();   /* asked here: in the child getpid() differs */
		pid = fork();
		if (pid < 0) {
			fprintf(2, "sh: fork failed\n");
			status = 1;
			continue;
		}
		if (pid == 0) {
			/* The same calls as the parent's below: whichever runs first wins. */
			if (jc) {
				setpgid(0, 0);
				if (!item->background)
					setfg(getpid());
			}
			run_pipeline(p);
		}
		if (jc)
			setpgid(pid, pid);
		if (item->background) {
			if (interactive)
				printf("[%d]\n", pid);
		} else if (job_control()) {
			setfg(pid);
			status = wait_for(pid);
			setfg(0);
		} else {
			status = wait_for(pid);
		}
	}
	return status;
}

/* Run one command or subshell in this (child) process; never returns. */
static void run_command(struct node *n) __attribute__((noreturn));
static void run_command(struct node *n)
{
	if (n->in != 0)
		redirect(n->in, O_RDONLY, 0);
	if (n->out != 0)
		redirect(n->out, O_WRONLY | O_CREATE |
			 (n->out_append ? O_APPEND : O_TRUNC), 1);
	if (n->err != 0)
		redirect(n->err, O_WRONLY | O_CREATE |
			 (n->err_append ? O_APPEND : O_TRUNC), 2);
	if (n->kind == N_SUBSHELL)
		exit(run_list(n->left));
	if (is_builtin(n))
		exit(run_builtin(n));
	exec_command(n->argv);
}

/*
 * Run a pipeline in this (child) process and exit with the status of its
 * last command. For left | right, both sides get a child of their own,
 * joined by a pipe; this process waits for them.
 */
static void run_pipeline(struct node *p)
{
	int fds[2], left, right;

	if (p->kind != N_PIPE)
		run_command(p);
	if (pipe(fds) < 0) {
		fprintf(2, "sh: pipe failed\n");
		exit(1);
	}
	left = fork();
	if (left == 0) {
		close(1);
		dup(fds[1]);
		close(fds[0]);
		close(fds[1]);
		run_command(p->left);
	}
	right = fork();
	if (right == 0) {
		close(0);
		dup(fds[0]);
		close(fds[0]);
		close(fds[1]);
		run_pipeline(p->right);
	}
	close(fds[0]);
	close(fds[1]);
	if (left < 0 || right < 0) {
		fprintf(2, "sh: fork failed\n");
		exit(1);
	}
	wait_for(left);
	exit(wait_for(right));
}

/* ---- main loop ---- */

/*
 * Read one line into line[]; 0 at end of input. A line longer than
 * LINE_MAX is skipped with a message (it returns an empty line); the
 * console never hands over one that long.
 */
static int read_line(void)
{
	uint n;

	if (interactive)
		write(2, "$ ", 2);
	gets(line, sizeof(line));
	n = strlen(line);
	if (n == 0)
		return 0;
	if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
		char c;

		while (read(0, &c, 1) == 1 && c != '\n')
			;
		fprintf(2, "sh: line too long\n");
		line[0] = '\0';
	}
	return 1;
}

/* Run one line; its status (that of the last pipeline waited for). */
static int run_line(const char *s)
{
	struct node *list;

	if (tokenize(s) < 0)
		return 2;
	list = parse();
	if (list == 0)
		return parse_failed ? 2 : 0;
	return run_list(list);
}

int main(int argc, char *argv[])
{
	struct stat st;

	shell_pid = getpid();
	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		if (argc != 3) {
			fprintf(2, "usage: sh -c COMMAND\n");
			return 2;
		}
		if (strlen(argv[2]) > LINE_MAX) {
			fprintf(2, "sh: line too long\n");
			return 2;
		}
		return run_line(argv[2]);
	}
	if (argc > 1)
		redirect(argv[1], O_RDONLY, 0);
	interactive = fstat(0, &st) == 0 && st.type == T_DEVICE;
	if (job_control())
		setfg(0);   /* the console reads for us: a background job gets -1 (EIO) */

	while (read_line())
		run_line(line);
	return 0;
}
