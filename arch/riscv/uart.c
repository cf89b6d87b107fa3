/*
 * ns16550a UART driver. Output is polled (the transmit holding register
 * empties at QEMU speed); input is interrupt-driven through the PLIC.
 * Before uart_init, and in a panic, output falls back to the SBI console.
 */
#include "arch/riscv/uart.h"
#include "arch/riscv/sbi.h"
#include "fs/fs.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "mm/physmap.h"

/* Registers (byte offsets) and bits. */
#define UART_RHR 0   /* receive holding (read) */
#define UART_THR 0   /* transmit holding (write) */
#define UART_IER 1   /* interrupt enable */
#define UART_FCR 2   /* FIFO control */
#define UART_LCR 3   /* line control */
#define UART_LSR 5   /* line status */

#define IER_RX_ENABLE   0x01
#define FCR_FIFO_ENABLE 0x01
#define FCR_FIFO_CLEAR  0x06
#define LCR_EIGHT_BITS  0x03
#define LSR_RX_READY    0x01
#define LSR_TX_IDLE     0x20

static volatile uint8_t *uart;
static struct spinlock out_lock = SPINLOCK_INIT("uart_out");

static uint8_t reg_read(int r) { return uart[r]; }
static void reg_write(int r, uint8_t v) { uart[r] = v; }

static void putc_polled(char c)
{
	while (!(reg_read(UART_LSR) & LSR_TX_IDLE))
		;
	reg_write(UART_THR, (uint8_t)c);
}

void uart_write_unlocked(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!uart) {
			sbi_console_putchar(buf[i]);
			continue;
		}
		if (buf[i] == '\n')
			putc_polled('\r');
		putc_polled(buf[i]);
	}
}

void uart_write(const char *buf, size_t n)
{
	spin_lock(&out_lock);
	uart_write_unlocked(buf, n);
	spin_unlock(&out_lock);
}

void uart_init(uint64_t pa)
{
	uart = pa_to_kva(pa);
	reg_write(UART_IER, 0);
	reg_write(UART_LCR, LCR_EIGHT_BITS);
	reg_write(UART_FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
	reg_write(UART_IER, IER_RX_ENABLE);
}

void uart_intr(void)
{
	while (uart && (reg_read(UART_LSR) & LSR_RX_READY))
		console_input(reg_read(UART_RHR));
}
