// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// What the oracle's register blocks do beyond holding values, and what they
// record: a virtual clock (the delays both sides ask for), the DSI host
// (regulator, PLL lock, D-PHY stop states, the generic packet interface
// with a panel behind it that answers ID reads), the DMA2D (runs each
// transfer through tests/c/cm4/dma2d_model.c over the SDRAM), GPIO output
// levels, the I2C4 controller, and an FT5336 on the bus. Both ST's code and
// ours run against the same blocks; the logs here are what the comparisons
// read. Plain C, no ST or h747 headers: offsets are RM0399's, written here
// rather than taken from h747_regs.h so that a wrong constant there cannot
// agree with itself.
#ifndef ORACLE_MODEL_H
#define ORACLE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "mmio.h"

// ---- bus addresses (RM0399) ----
#define M_DSI 0x50000000u
#define M_LTDC 0x50001000u
#define M_DMA2D 0x52001000u
#define M_EXTI 0x58000000u
#define M_SYSCFG 0x58000400u
#define M_I2C4 0x58001C00u
#define M_GPIO(port) (0x58020000u + 0x400u * (port))
#define M_RCC 0x58024400u
#define M_SCS 0xE000E000u            // NVIC, SCB
#define M_SDRAM 0xD0000000u
#define M_SDRAM_SIZE 0x00800000u
#define M_PORT_D 3u
#define M_PORT_G 6u
#define M_PORT_J 9u
#define M_PORT_K 10u

extern mmio_block_t m_dsi, m_ltdc, m_dma2d, m_exti, m_syscfg, m_i2c4, m_rcc, m_scs;
extern mmio_block_t m_gpio[11];

// Map every block and the SDRAM (shared with child processes) and the
// state. False (with a message) when that fails.
bool model_init(void);
// Zero the registers, the logs, the clock and the devices' state.
void model_reset(void);
// Register value through the alias (never traps).
uint32_t reg(const mmio_block_t *b, uint32_t off);

// ---- virtual time ----
uint64_t vclock_us(void);
void vclock_advance_us(uint64_t us);

// ---- the DSI link ----
#define DSI_LOG_MAX 400
#define DSI_WORDS_MAX 16
typedef struct {
    uint64_t t_us;           // virtual time the header was written
    uint32_t header;         // GHCR
    uint32_t nwords;
    uint32_t words[DSI_WORDS_MAX];
    bool host_on;            // CR.EN and the wrapper's DSIEN were set
    bool lp;                 // would go in low power (video mode: VMCR.LPCE; else CMCR's bit)
} dsi_pkt_t;
typedef struct {
    dsi_pkt_t pk[DSI_LOG_MAX];
    int n;
    int dropped;             // packets past DSI_LOG_MAX
    int malformed;           // a long packet whose payload is not its word count
    int stray_reads;         // GPDR read with nothing in the read FIFO
} dsi_log_t;


// ---- DMA2D transfers ----
#define DMA2D_LOG_MAX 64
typedef struct {
    uint32_t cr, fgmar, fgor, fgpfccr, opfccr, ocolr, omar, oor, nlr;
    bool ok;                 // the model ran it
} dma2d_xfer_t;
typedef struct {
    dma2d_xfer_t x[DMA2D_LOG_MAX];
    int n;
    int dropped;
} dma2d_log_t;

// ---- GPIO outputs driven (BSRR writes, ODR changes) ----
#define PIN_LOG_MAX 64
typedef struct {
    uint64_t t_us;
    uint8_t port, pin, level;
} pin_event_t;
typedef struct {
    pin_event_t e[PIN_LOG_MAX];
    int n;
} pin_log_t;

// ---- I2C: segments between a (re)start and the next (re)start or stop ----
#define I2C_LOG_MAX 32
#define I2C_BYTES_MAX 40
typedef struct {
    uint8_t addr;            // 7-bit
    bool read;
    bool nack;               // nobody answered the address
    uint32_t n;
    uint8_t bytes[I2C_BYTES_MAX];
} i2c_seg_t;
typedef struct {
    i2c_seg_t s[I2C_LOG_MAX];
    int n;
    int dropped;
    int protocol_errors;     // the controller used in a way the model does not know
} i2c_log_t;


// What a side's run reports besides registers and logs (st_side.c and
// our_side.c fill it in).
typedef struct {
    int status;              // the init function's return value
    int panel;               // 1 NT35510, 2 OTM8009A, 0 none (as disco_panel.h counts)
    uint32_t pll3_m, pll3_n, pll3_r;  // the LTDC clock a side asked for (0: none)
    uint32_t irq_enabled[5]; // NVIC lines enabled (bit n of word n / 32)
    uint32_t irq_priority[160];
    int dma2d_calls;         // fills and blits the side was asked for that it did
} side_result_t;

// Everything the models and the runs change, in memory shared with the
// child processes the runs happen in (oracle.c forks one per run, so each
// starts from reset, ST's BSP's static state included).
// When things happened, as the number of register accesses before them
// (0: never).
typedef struct {
    uint64_t pll_enabled;       // WRPCR.PLLEN set
    uint32_t pll_fields_then;   // WRPCR's NDIV, IDF, ODF at that moment
    uint64_t regulator_enabled; // WRPCR.REGEN set
    uint64_t ltdc_enabled;      // LTDC GCR.LTDCEN set
    uint64_t dsi_wrapper_enabled;  // DSI WCR.DSIEN set
    uint64_t dsi_host_enabled;  // DSI CR.EN set the last time
} order_t;

typedef struct {
    uint64_t clock_us;
    order_t order;
    dsi_log_t dsi;
    dma2d_log_t dma2d;
    pin_log_t pins;
    i2c_log_t i2c;
    // What the panel answers to a DCS read of each command (-1: nothing,
    // the host then flags a packet size error).
    int panel_answer[256];
    // The touch controller: the 7-bit address that answers (0: none) and
    // its registers.
    uint8_t ft_addr;
    uint8_t ft_regs[256];
    side_result_t res;
} model_state_t;
extern model_state_t *M;

// A bus transaction as ST's BSP bus layer (BSP_I2C4_WriteReg/ReadReg)
// makes it: register address then data, or register address then a
// repeated start and a read. Logged like the controller's. 0, or -1 on NACK.
int i2c_bus_write_reg(uint8_t addr7, uint8_t regaddr, const uint8_t *data, uint32_t n);
int i2c_bus_read_reg(uint8_t addr7, uint8_t regaddr, uint8_t *data, uint32_t n);

#endif
