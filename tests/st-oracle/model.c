// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the mpx developers
//
// The register models. Everything here may run inside mmio.c's signal
// handlers: memory only.
#define _GNU_SOURCE
#include "model.h"

#include <string.h>
#include <sys/mman.h>

#include "dma2d_model.h"

// ---- DSI (RM0399 DSI host and wrapper) ----
#define DSI_CR 0x004u
#define DSI_VMCR 0x038u
#define DSI_CMCR 0x068u
#define DSI_GHCR 0x06Cu
#define DSI_GPDR 0x070u
#define DSI_GPSR 0x074u
#define DSI_PCTLR 0x0A0u
#define DSI_PCONFR 0x0A4u
#define DSI_PSR 0x0B0u
#define DSI_ISR1 0x0C0u
#define DSI_WCR 0x404u
#define DSI_WISR 0x40Cu
#define DSI_WRPCR 0x430u
#define GPSR_CMDFE (1u << 0)
#define GPSR_PWRFE (1u << 2)
#define GPSR_PRDFE (1u << 4)
#define PSR_PSSC (1u << 2)
#define PSR_PSS0 (1u << 4)
#define PSR_PSS1 (1u << 7)
#define PCTLR_DEN (1u << 1)
#define PCTLR_CKE (1u << 2)
#define ISR1_PSE (1u << 5)
#define WCR_DSIEN (1u << 3)
#define WISR_PLLLS (1u << 8)
#define WISR_RRS (1u << 12)
#define WRPCR_PLLEN (1u << 0)
#define WRPCR_REGEN (1u << 24)
#define WRPCR_PLL_FIELDS ((0x7Fu << 2) | (0xFu << 11) | (0x3u << 16))
#define VMCR_LPCE (1u << 15)
#define CMCR_DSR0TX (1u << 18)        // DCS short read in low power
#define DT_GEN_READ_0 0x04u
#define DT_DCS_READ 0x06u
#define DT_GEN_READ_1 0x14u
#define DT_GEN_READ_2 0x24u

// ---- DMA2D ----
#define D2D_CR 0x00u
#define D2D_ISR 0x04u
#define D2D_IFCR 0x08u
#define D2D_FGMAR 0x0Cu
#define D2D_FGOR 0x10u
#define D2D_FGPFCCR 0x1Cu
#define D2D_OPFCCR 0x34u
#define D2D_OCOLR 0x38u
#define D2D_OMAR 0x3Cu
#define D2D_OOR 0x40u
#define D2D_NLR 0x44u
#define D2D_CR_START 1u
#define D2D_ISR_TCIF (1u << 1)
#define D2D_ISR_CEIF (1u << 5)

// ---- GPIO ----
#define GPIO_ODR 0x14u
#define GPIO_BSRR 0x18u

// ---- RCC resets (shared between the cores) ----
#define RCC_AHB3RSTR 0x07Cu
#define RCC_APB3RSTR 0x08Cu
#define RST_DMA2D (1u << 4)
#define RST_LTDC (1u << 3)
#define RST_DSI (1u << 4)

// ---- LTDC ----
#define LTDC_GCR 0x18u
#define LTDC_SRCR 0x24u

// ---- I2C (RM0399 I2C v2) ----
#define I2C_CR2 0x04u
#define I2C_ISR 0x18u
#define I2C_ICR 0x1Cu
#define I2C_RXDR 0x24u
#define I2C_TXDR 0x28u
#define I2C_ISR_TXE (1u << 0)
#define I2C_ISR_TXIS (1u << 1)
#define I2C_ISR_RXNE (1u << 2)
#define I2C_ISR_NACKF (1u << 4)
#define I2C_ISR_STOPF (1u << 5)
#define I2C_ISR_TC (1u << 6)
#define I2C_ISR_BUSY (1u << 15)
#define I2C_CR2_RD_WRN (1u << 10)
#define I2C_CR2_START (1u << 13)
#define I2C_CR2_STOP (1u << 14)
#define I2C_CR2_AUTOEND (1u << 25)

model_state_t *M;

// The models' own state, shared with the runs' child processes too.
typedef struct {
    uint32_t payload[DSI_WORDS_MAX];
    uint32_t npayload;
    uint32_t rx_fifo[8];
    uint32_t rx_head, rx_tail;
    struct {
        bool active;        // between a start and a stop
        bool read;
        uint8_t addr;
        uint32_t nbytes, done;
        bool autoend;
        uint8_t ptr;        // the FT5336's register pointer
        bool have_ptr;      // the pointer was written in this transaction
    } i2c;
} inner_t;
static inner_t *S;

uint64_t vclock_us(void) {
    return M->clock_us;
}

void vclock_advance_us(uint64_t us) {
    M->clock_us += us;
}

uint32_t reg(const mmio_block_t *b, uint32_t off) {
    return b->regs[off / 4u];
}

static void set(mmio_block_t *b, uint32_t off, uint32_t v) {
    b->regs[off / 4u] = v;
}

static void zero(mmio_block_t *b) {
    for (uint32_t i = 0; i < b->size / 4u; i++) {
        b->regs[i] = 0;
    }
}

// ---- DSI ----

static void dsi_before_read(mmio_block_t *b, uint32_t off) {
    uint32_t wrpcr = reg(b, DSI_WRPCR);
    switch (off) {
        case DSI_WISR: {
            // The regulator is ready once enabled; the PLL locks once
            // enabled with the regulator on.
            uint32_t v = reg(b, DSI_WISR) & ~(WISR_RRS | WISR_PLLLS);
            if (wrpcr & WRPCR_REGEN) {
                v |= WISR_RRS;
                if (wrpcr & WRPCR_PLLEN) {
                    v |= WISR_PLLLS;
                }
            }
            set(b, off, v);
            break;
        }
        case DSI_PSR: {
            // Lanes in stop state once the D-PHY's digital part and clock
            // run: the clock lane and as many data lanes as PCONFR.NL says.
            uint32_t v = 0;
            if ((reg(b, DSI_PCTLR) & (PCTLR_DEN | PCTLR_CKE)) == (PCTLR_DEN | PCTLR_CKE)) {
                v = PSR_PSSC | PSR_PSS0 | ((reg(b, DSI_PCONFR) & 3u) >= 1u ? PSR_PSS1 : 0u);
            }
            set(b, off, v);
            break;
        }
        case DSI_GPSR:
            // Commands leave at once; the read FIFO holds what the panel said.
            set(b, off, GPSR_CMDFE | GPSR_PWRFE | (S->rx_head == S->rx_tail ? GPSR_PRDFE : 0u));
            break;
        case DSI_GPDR:
            if (S->rx_head != S->rx_tail) {
                set(b, off, S->rx_fifo[S->rx_tail % 8u]);
            }
            break;
        default:
            break;
    }
}

static void dsi_after_read(mmio_block_t *b, uint32_t off, uint32_t value) {
    (void)value;
    if (off == DSI_ISR1) {
        set(b, off, 0);  // read to clear
    } else if (off == DSI_GPDR) {
        if (S->rx_head != S->rx_tail) {
            S->rx_tail++;
        } else {
            M->dsi.stray_reads++;
        }
    }
}

static void dsi_packet(mmio_block_t *b, uint32_t header) {
    uint32_t dt = header & 0x3Fu;
    bool lng = (dt & 0x0Fu) == 0x09u;  // null, blanking, generic and DCS long writes
    uint32_t wc = (header >> 8) & 0xFFFFu;
    if (lng ? S->npayload != (wc + 3u) / 4u : S->npayload != 0) {
        M->dsi.malformed++;
    }
    if (M->dsi.n < DSI_LOG_MAX) {
        dsi_pkt_t *p = &M->dsi.pk[M->dsi.n++];
        p->t_us = M->clock_us;
        p->header = header;
        p->nwords = S->npayload;
        memcpy(p->words, S->payload, sizeof S->payload);
        p->host_on = (reg(b, DSI_CR) & 1u) && (reg(b, DSI_WCR) & WCR_DSIEN);
        p->lp = (reg(b, DSI_VMCR) & VMCR_LPCE) != 0;
    } else {
        M->dsi.dropped++;
    }
    S->npayload = 0;
    memset(S->payload, 0, sizeof S->payload);
    if (dt == DT_DCS_READ || dt == DT_GEN_READ_0 || dt == DT_GEN_READ_1 || dt == DT_GEN_READ_2) {
        int a = M->panel_answer[(header >> 8) & 0xFFu];
        if (dt == DT_DCS_READ && a >= 0 && S->rx_head - S->rx_tail < 8u) {
            S->rx_fifo[S->rx_head++ % 8u] = (uint32_t)a;
        } else {
            set(b, DSI_ISR1, reg(b, DSI_ISR1) | ISR1_PSE);
        }
    }
}

static void dsi_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    uint32_t rising = value & ~old;
    uint64_t now = mmio_accesses();
    if (off == DSI_WRPCR && (rising & WRPCR_PLLEN)) {
        M->order.pll_enabled = now;
        M->order.pll_fields_then = value & WRPCR_PLL_FIELDS;
    }
    if (off == DSI_WRPCR && (rising & WRPCR_REGEN)) {
        M->order.regulator_enabled = now;
    }
    if (off == DSI_WCR && (rising & WCR_DSIEN)) {
        M->order.dsi_wrapper_enabled = now;
    }
    if (off == DSI_CR && (rising & 1u)) {
        M->order.dsi_host_enabled = now;
    }
    if (off == DSI_GPDR) {
        if (S->npayload < DSI_WORDS_MAX) {
            S->payload[S->npayload] = value;
        }
        S->npayload++;
    } else if (off == DSI_GHCR) {
        dsi_packet(b, value);
    }
}

// ---- LTDC ----

static void ltdc_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    if (off == LTDC_GCR && (value & ~old & 1u)) {
        M->order.ltdc_enabled = mmio_accesses();
    }
    if (off == LTDC_SRCR) {
        set(b, off, 0);  // the reload happens; the bits clear themselves
    }
}

// ---- DMA2D ----

static void dma2d_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    if (off == D2D_IFCR) {
        set(b, D2D_ISR, reg(b, D2D_ISR) & ~value);
        set(b, D2D_IFCR, 0);
        return;
    }
    if (off != D2D_CR || !(value & D2D_CR_START) || (old & D2D_CR_START)) {
        return;
    }
    dma2d_model_regs_t r = {value, reg(b, D2D_FGMAR), reg(b, D2D_FGOR), reg(b, D2D_FGPFCCR),
        reg(b, D2D_OPFCCR), reg(b, D2D_OCOLR), reg(b, D2D_OMAR), reg(b, D2D_OOR), reg(b, D2D_NLR)};
    dma2d_bus_t bus = {{{M_SDRAM, (uint8_t *)(uintptr_t)M_SDRAM, M_SDRAM_SIZE}}, 1, 0};
    bool ok = dma2d_model_run(&r, &bus);
    if (M->dma2d.n < DMA2D_LOG_MAX) {
        dma2d_xfer_t *x = &M->dma2d.x[M->dma2d.n++];
        *x = (dma2d_xfer_t){r.cr, r.fgmar, r.fgor, r.fgpfccr, r.opfccr, r.ocolr, r.omar, r.oor,
            r.nlr, ok};
    } else {
        M->dma2d.dropped++;
    }
    set(b, D2D_ISR, reg(b, D2D_ISR) | (ok ? D2D_ISR_TCIF : D2D_ISR_CEIF));
    set(b, D2D_CR, value & ~D2D_CR_START);
}

// ---- GPIO ----

// A pin driven to a level (driving it to the level it has counts too: a
// reset pulse starts with "low" on an output that reads low already).
static void pin_driven(uint32_t port, uint32_t mask, uint32_t now) {
    for (uint32_t pin = 0; pin < 16u; pin++) {
        if (((mask >> pin) & 1u) && M->pins.n < PIN_LOG_MAX) {
            M->pins.e[M->pins.n++] = (pin_event_t){M->clock_us, (uint8_t)port, (uint8_t)pin,
                (uint8_t)((now >> pin) & 1u)};
        }
    }
}

static uint32_t port_of(const mmio_block_t *b) {
    return (b->base - M_GPIO(0)) / 0x400u;
}

static void gpio_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    if (off == GPIO_BSRR) {
        uint32_t odr = reg(b, GPIO_ODR);
        uint32_t now = (odr & ~(value >> 16)) | (value & 0xFFFFu);  // set wins over reset
        set(b, GPIO_ODR, now);
        set(b, GPIO_BSRR, 0);
        pin_driven(port_of(b), (value | (value >> 16)) & 0xFFFFu, now);
    } else if (off == GPIO_ODR) {
        pin_driven(port_of(b), old ^ value, value);
    }
}

// ---- RCC: a peripheral reset clears that peripheral's registers ----

static void rcc_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    (void)b;
    uint32_t rising = value & ~old;
    if (off == RCC_APB3RSTR) {
        if (rising & RST_DSI) {
            zero(&m_dsi);
            S->npayload = 0;
            S->rx_head = S->rx_tail = 0;
        }
        if (rising & RST_LTDC) {
            zero(&m_ltdc);
        }
    } else if (off == RCC_AHB3RSTR && (rising & RST_DMA2D)) {
        zero(&m_dma2d);
    }
}

// ---- I2C4 and the touch controller ----

static i2c_seg_t *seg_begin(uint8_t addr, bool read) {
    if (M->i2c.n == I2C_LOG_MAX) {
        M->i2c.dropped++;
        return NULL;
    }
    i2c_seg_t *s = &M->i2c.s[M->i2c.n++];
    memset(s, 0, sizeof *s);
    s->addr = addr;
    s->read = read;
    s->nack = addr != M->ft_addr || M->ft_addr == 0;
    return s;
}

static void seg_byte(uint8_t byte) {
    if (M->i2c.n > 0) {
        i2c_seg_t *s = &M->i2c.s[M->i2c.n - 1];
        if (s->n < I2C_BYTES_MAX) {
            s->bytes[s->n] = byte;
        }
        s->n++;
    }
}

// The device side: the first byte written in a transaction is the register
// address, later ones are stored with auto-increment; reads return from
// the pointer on.
static void ft_write_byte(uint8_t v) {
    if (!S->i2c.have_ptr) {
        S->i2c.ptr = v;
        S->i2c.have_ptr = true;
    } else {
        M->ft_regs[S->i2c.ptr++] = v;
    }
    seg_byte(v);
}

static uint8_t ft_read_byte(void) {
    uint8_t v = M->ft_regs[S->i2c.ptr++];
    seg_byte(v);
    return v;
}

static void i2c_stop(mmio_block_t *b) {
    S->i2c.active = false;
    S->i2c.have_ptr = false;
    set(b, I2C_ISR, (reg(b, I2C_ISR) & ~(I2C_ISR_TXIS | I2C_ISR_RXNE | I2C_ISR_TC | I2C_ISR_BUSY)) |
        I2C_ISR_STOPF | I2C_ISR_TXE);
}

static void i2c_next(mmio_block_t *b) {
    // After a byte: more to go, or the end of this segment.
    uint32_t isr = reg(b, I2C_ISR) & ~(I2C_ISR_TXIS | I2C_ISR_RXNE);
    if (S->i2c.done < S->i2c.nbytes) {
        isr |= S->i2c.read ? I2C_ISR_RXNE : I2C_ISR_TXIS;
        if (S->i2c.read) {
            set(b, I2C_RXDR, ft_read_byte());
        }
        set(b, I2C_ISR, isr);
        return;
    }
    set(b, I2C_ISR, isr);
    if (S->i2c.autoend) {
        i2c_stop(b);
    } else {
        set(b, I2C_ISR, isr | I2C_ISR_TC);
    }
}

static void i2c_start(mmio_block_t *b, uint32_t cr2) {
    uint8_t addr = (uint8_t)((cr2 >> 1) & 0x7Fu);
    bool read = (cr2 & I2C_CR2_RD_WRN) != 0;
    if (S->i2c.active && addr != S->i2c.addr) {
        M->i2c.protocol_errors++;  // a repeated start to another device
    }
    if (!S->i2c.active) {
        S->i2c.have_ptr = false;
    }
    S->i2c.active = true;
    S->i2c.read = read;
    S->i2c.addr = addr;
    S->i2c.nbytes = (cr2 >> 16) & 0xFFu;
    S->i2c.done = 0;
    S->i2c.autoend = (cr2 & I2C_CR2_AUTOEND) != 0;
    set(b, I2C_CR2, cr2 & ~I2C_CR2_START);
    i2c_seg_t *s = seg_begin(addr, read);
    set(b, I2C_ISR, (reg(b, I2C_ISR) & ~(I2C_ISR_TC | I2C_ISR_TXE)) | I2C_ISR_BUSY);
    if (s == NULL || s->nack) {
        set(b, I2C_ISR, reg(b, I2C_ISR) | I2C_ISR_NACKF);
        i2c_stop(b);  // the controller sends a stop after a NACK (autoend or not)
        return;
    }
    if (S->i2c.nbytes == 0) {
        M->i2c.protocol_errors++;
    }
    i2c_next(b);
}

static void i2c_after_write(mmio_block_t *b, uint32_t off, uint32_t old, uint32_t value) {
    (void)old;
    switch (off) {
        case I2C_CR2:
            if (value & I2C_CR2_START) {
                i2c_start(b, value);
            } else if ((value & I2C_CR2_STOP) && S->i2c.active) {
                set(b, I2C_CR2, value & ~I2C_CR2_STOP);
                i2c_stop(b);
            }
            break;
        case I2C_ICR:
            set(b, I2C_ISR, reg(b, I2C_ISR) & ~value);
            set(b, I2C_ICR, 0);
            break;
        case I2C_TXDR:
            if (!S->i2c.active || S->i2c.read || S->i2c.done >= S->i2c.nbytes ||
                !(reg(b, I2C_ISR) & I2C_ISR_TXIS)) {
                M->i2c.protocol_errors++;
                break;
            }
            ft_write_byte((uint8_t)value);
            S->i2c.done++;
            i2c_next(b);
            break;
        default:
            break;
    }
}

static void i2c_after_read(mmio_block_t *b, uint32_t off, uint32_t value) {
    (void)value;
    if (off == I2C_RXDR) {
        if (!S->i2c.active || !S->i2c.read || !(reg(b, I2C_ISR) & I2C_ISR_RXNE)) {
            M->i2c.protocol_errors++;
            return;
        }
        S->i2c.done++;
        i2c_next(b);
    }
}

int i2c_bus_write_reg(uint8_t addr7, uint8_t regaddr, const uint8_t *data, uint32_t n) {
    S->i2c.have_ptr = false;
    i2c_seg_t *s = seg_begin(addr7, false);
    if (s == NULL || s->nack) {
        return -1;
    }
    ft_write_byte(regaddr);
    for (uint32_t i = 0; i < n; i++) {
        ft_write_byte(data[i]);
    }
    return 0;
}

int i2c_bus_read_reg(uint8_t addr7, uint8_t regaddr, uint8_t *data, uint32_t n) {
    S->i2c.have_ptr = false;
    i2c_seg_t *s = seg_begin(addr7, false);
    if (s == NULL || s->nack) {
        return -1;
    }
    ft_write_byte(regaddr);
    if (seg_begin(addr7, true) == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        data[i] = ft_read_byte();
    }
    return 0;
}

// ---- the blocks ----

mmio_block_t m_dsi = {"DSI", M_DSI, 0x434, dsi_before_read, dsi_after_read, dsi_after_write,
    NULL, 0, 0};
mmio_block_t m_ltdc = {"LTDC", M_LTDC, 0x200, NULL, NULL, ltdc_after_write, NULL, 0, 0};
mmio_block_t m_dma2d = {"DMA2D", M_DMA2D, 0x50, NULL, NULL, dma2d_after_write, NULL, 0, 0};
mmio_block_t m_exti = {"EXTI", M_EXTI, 0x100, NULL, NULL, NULL, NULL, 0, 0};
mmio_block_t m_syscfg = {"SYSCFG", M_SYSCFG, 0x400, NULL, NULL, NULL, NULL, 0, 0};
mmio_block_t m_i2c4 = {"I2C4", M_I2C4, 0x30, NULL, i2c_after_read, i2c_after_write, NULL, 0, 0};
mmio_block_t m_rcc = {"RCC", M_RCC, 0x400, NULL, NULL, rcc_after_write, NULL, 0, 0};
mmio_block_t m_scs = {"SCS", M_SCS, 0x1000, NULL, NULL, NULL, NULL, 0, 0};
#define GPIO_BLOCK(name, port) {name, M_GPIO(port), 0x400, NULL, NULL, gpio_after_write, NULL, 0, 0}
mmio_block_t m_gpio[11] = {
    GPIO_BLOCK("GPIOA", 0), GPIO_BLOCK("GPIOB", 1), GPIO_BLOCK("GPIOC", 2), GPIO_BLOCK("GPIOD", 3),
    GPIO_BLOCK("GPIOE", 4), GPIO_BLOCK("GPIOF", 5), GPIO_BLOCK("GPIOG", 6), GPIO_BLOCK("GPIOH", 7),
    GPIO_BLOCK("GPIOI", 8), GPIO_BLOCK("GPIOJ", 9), GPIO_BLOCK("GPIOK", 10),
};

bool model_init(void) {
    mmio_block_t *list[8 + 11] = {&m_dsi, &m_ltdc, &m_dma2d, &m_exti, &m_syscfg, &m_i2c4, &m_rcc,
        &m_scs};
    for (int i = 0; i < 11; i++) {
        list[8 + i] = &m_gpio[i];
    }
    void *m = mmap(NULL, sizeof(model_state_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
        -1, 0);
    void *s = mmap(NULL, sizeof(inner_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || s == MAP_FAILED) {
        return false;
    }
    M = m;
    S = s;
    return mmio_init(list, 19) && mmio_map_plain(M_SDRAM, M_SDRAM_SIZE);
}

void model_reset(void) {
    mmio_reset();
    memset(M, 0, sizeof *M);
    memset(S, 0, sizeof *S);
    for (int i = 0; i < 256; i++) {
        M->panel_answer[i] = -1;
    }
    memset((void *)(uintptr_t)M_SDRAM, 0, M_SDRAM_SIZE);
}
